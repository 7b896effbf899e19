from . import customer_tier_change_wizard
