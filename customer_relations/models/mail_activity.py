from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Activities of a mapped type done on a customer become interactions with the feedback
        as outcome."""
        values = []
        for activity in self:
            kind = activity.activity_type_id.customer_interaction_type
            if kind and activity.res_model == "res.partner" and activity.res_id:
                partner = self.env["res.partner"].browse(activity.res_id).exists()
                if not partner:
                    continue
                values.append(
                    {
                        "name": activity.summary or activity.activity_type_id.name,
                        "partner_id": partner.commercial_partner_id.id,
                        "contact_id": partner.id if partner.parent_id else False,
                        "interaction_type": kind,
                        "user_id": activity.user_id.id or self.env.uid,
                        "outcome": feedback or False,
                        "company_id": self.env.company.id,
                    }
                )
        if values:
            self.env["customer.interaction"].sudo().create(values)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
