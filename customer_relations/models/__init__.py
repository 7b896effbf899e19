from . import customer_region, customer_relations_demo, res_config_settings, res_partner
