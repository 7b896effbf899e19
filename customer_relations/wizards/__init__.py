from . import customer_agreement_terminate_wizard
from . import customer_complaint_effectiveness_wizard
from . import customer_complaint_reason_wizard
from . import customer_forecast_wizard
from . import customer_ranking_line
from . import customer_ranking_wizard
from . import customer_satisfaction_export_wizard
from . import customer_tier_change_wizard
