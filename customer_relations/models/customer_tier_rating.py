from odoo import api, fields, models
from odoo.exceptions import ValidationError

RATING = [("1", "1 - Very poor"), ("2", "2 - Poor"), ("3", "3 - Fair"), ("4", "4 - Good"), ("5", "5 - Excellent")]


class CustomerTierRating(models.Model):
    _name = "customer.tier.rating"
    _description = "Customer Rating by a Reviewer"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    criterion_id = fields.Many2one(
        "customer.tier.criterion",
        required=True,
        ondelete="cascade",
        check_company=True,
        domain="[('kind', '=', 'rated'), ('company_id', '=', company_id)]",
    )
    user_id = fields.Many2one("res.users", string="Reviewer", required=True, default=lambda self: self.env.user)
    rating = fields.Selection(
        RATING,
        required=True,
        default="3",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    note = fields.Char()
    weight = fields.Float(related="criterion_id.weight")

    @api.constrains("criterion_id")
    def _check_rated_criterion(self):
        bad = self.filtered(lambda r: r.criterion_id.kind != "rated")
        if bad:
            raise ValidationError(
                self.env._(
                    "Only criteria rated by people take ratings: %(names)s are measured from ERP data.",
                    names=", ".join(bad.criterion_id.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalise_rating(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalise_rating(vals)
        return super().write(vals)

    @api.model
    def _normalise_rating(self, vals):
        """A rating from 1 to 5 (as text or number); anything else gets a message, not a traceback."""
        if "rating" not in vals:
            return
        value = vals["rating"]
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None
        if text not in dict(RATING):
            raise ValidationError(self.env._("A rating is a whole number from 1 to 5, not %(value)s.", value=value))
        vals["rating"] = text
