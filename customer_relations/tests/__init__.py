from . import test_demo_generator, test_partner_region, test_security
