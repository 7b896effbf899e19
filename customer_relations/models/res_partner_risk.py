from odoo import fields, models
from odoo.exceptions import AccessError

_USER = "customer_relations.group_customer_relations_user"


class ResPartner(models.Model):
    """The customer's risk warning history (warnings of the current companies, by record rule)."""

    _inherit = "res.partner"

    risk_warning_ids = fields.One2many(
        "customer.risk.warning", "partner_id", string="Risk warnings", groups=_USER, readonly=True
    )
    risk_warning_count = fields.Integer(
        compute="_compute_risk_warning_count", string="Risk warning count", groups=_USER
    )
    risk_open_count = fields.Integer(compute="_compute_risk_warning_count", string="Open risk warnings", groups=_USER)

    def _compute_risk_warning_count(self):
        Warning = self.env["customer.risk.warning"]
        counts = dict(Warning._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        open_counts = dict(
            Warning._read_group(
                [("partner_id", "in", self.ids), ("state", "!=", "closed")], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.risk_warning_count = counts.get(partner, 0)
            partner.risk_open_count = open_counts.get(partner, 0)

    def action_view_risk_warnings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relations.customer_risk_warning_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_not_closed": 0}
        return action

    def action_evaluate_risks(self):
        """On demand for this customer: its signals in the current company, now."""
        self.ensure_one()
        if not self.env.user.has_group(_USER):
            raise AccessError(self.env._("Only Customer Relations users evaluate the risk signals."))
        self.env["customer.risk.warning"].sudo()._evaluate_company(
            self.env.company, partner_ids=[self.commercial_partner_id.id]
        )
        return self.action_view_risk_warnings()
