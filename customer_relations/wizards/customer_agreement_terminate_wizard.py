from odoo import fields, models


class CustomerAgreementTerminateWizard(models.TransientModel):
    _name = "customer.agreement.terminate.wizard"
    _description = "Terminate Key-Account Agreement"

    agreement_id = fields.Many2one("customer.agreement", required=True)
    reason = fields.Char(required=True)

    def action_terminate(self):
        self.ensure_one()
        # The agreement comes from the client: the state is checked again here.
        self.agreement_id._action_terminate(self.reason)
        return {"type": "ir.actions.act_window_close"}
