from odoo import fields, models


class CustomerCareHoliday(models.Model):
    """A holiday ahead of which the salespeople of strategic and key customers greet them
    (one record per year: Spring Festival and Mid-Autumn move with the lunar calendar)."""

    _name = "customer.care.holiday"
    _description = "Care Holiday"
    _order = "date, id"

    name = fields.Char(required=True, translate=True)
    date = fields.Date(required=True)
    company_id = fields.Many2one("res.company", help="Empty: every company.")
    active = fields.Boolean(default=True)
