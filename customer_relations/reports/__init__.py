from . import customer_acquisition_report
from . import customer_complaint_duration_report
from . import customer_composition_report
from . import customer_risk_board
