from . import test_agreement
from . import test_demo_generator
from . import test_menus
from . import test_partner_region
from . import test_satisfaction
from . import test_security
from . import test_tiering
