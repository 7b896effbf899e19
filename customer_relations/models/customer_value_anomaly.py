from odoo import api, fields, models

from .assignee_language import AssigneeLanguage
from .tiering_constants import ANOMALY_CODE


class CustomerValueAnomaly(models.Model):
    """Something about a customer an account manager should look at, with the reason in words.

    Created once when the evaluation first finds it (with an activity for the customer's
    salesperson) and archived when the evaluation no longer finds it.
    """

    _name = "customer.value.anomaly"
    _description = "Customer Value Anomaly"
    _order = "date_detected desc, id desc"
    _check_company_auto = True

    value_id = fields.Many2one("customer.value", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="value_id.partner_id", store=True, string="Customer", index=True)
    company_id = fields.Many2one(related="value_id.company_id", store=True)
    user_id = fields.Many2one(related="value_id.user_id", store=True, string="Salesperson")
    code = fields.Selection(ANOMALY_CODE, string="Anomaly", required=True)
    message = fields.Char("Reason", required=True)
    date_detected = fields.Date(required=True, default=fields.Date.context_today)
    date_last_seen = fields.Date()
    date_resolved = fields.Date()
    active = fields.Boolean(default=True)
    activity_id = fields.Many2one("mail.activity", ondelete="set null")

    def _message_for(self, code, values):
        env = self.env
        if code == "tier_drop":
            return env._(
                "Revenue fell by %(drop).0f%% against the comparison period while the customer is a top "
                "(A or strategic) customer.",
                drop=values["drop"],
            )
        if code == "complaints":
            return env._("%(count)s complaints in the evaluation window from a key customer.", count=values["count"])
        if code == "cross_sell":
            if values["breadth"] == 1:
                return env._(
                    "Buys from 1 product category while similar customers of the same industry buy "
                    "%(peer).0f: a cross-sell gap.",
                    peer=values["peer"],
                )
            return env._(
                "Buys from %(breadth)s product categories while similar customers of the same industry buy "
                "%(peer).0f: a cross-sell gap.",
                breadth=values["breadth"],
                peer=values["peer"],
            )
        if values.get("new"):
            return env._(
                "New customer: no order in the comparison period, ordering now but not in tier A yet: "
                "potential to develop."
            )
        return env._(
            "Revenue grew by %(growth).0f%% but the customer is not in tier A yet: potential to develop.",
            growth=values["growth"],
        )

    @api.model
    def _sync(self, policy, values, anomalies):
        """Create the anomalies found for the first time (with an activity each), touch the
        ones still found, archive the ones gone. ``anomalies``: {partner id: [(code, vals)]}."""
        today = fields.Date.context_today(self)
        company_id = policy.company_id.id
        # Plain ids from SQL: reading 20,000 value and anomaly records to map them costs more
        # than the work.
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "SELECT id, partner_id, code, date_last_seen, message FROM customer_value_anomaly "
            "WHERE company_id = %s AND active",
            [company_id],
        )
        existing, messages = {}, {}
        for anomaly_id, partner_id, code, seen, message in cr.fetchall():
            existing[(partner_id, code)] = (anomaly_id, seen)
            messages[anomaly_id] = message
        found_keys = {(int(partner_id), code) for partner_id, items in anomalies.items() for code, _v in items}
        # The reason is worded from the figures of this evaluation, not those of the first one.
        reworded = {}
        for partner_id, items in anomalies.items():
            for code, payload in items:
                anomaly_id = existing.get((int(partner_id), code), (None, None))[0]
                if anomaly_id:
                    message = self._message_for(code, payload)
                    if message != messages[anomaly_id]:
                        reworded[anomaly_id] = message
        if reworded:
            cr.execute(
                "UPDATE customer_value_anomaly a SET message = u.message FROM unnest(%s::int4[], %s::varchar[]) "
                "AS u(id, message) WHERE a.id = u.id",
                [list(reworded), list(reworded.values())],
            )
            self.invalidate_model(["message"])
            # the salesperson's to-do reads the current reason too
            cr.execute(
                "UPDATE mail_activity m SET note = u.message FROM customer_value_anomaly a, "
                "unnest(%s::int4[], %s::varchar[]) AS u(id, message) WHERE a.id = u.id AND m.id = a.activity_id",
                [list(reworded), list(reworded.values())],
            )
            self.env["mail.activity"].invalidate_model(["note"])
        gone = self.browse(anomaly_id for key, (anomaly_id, _seen) in existing.items() if key not in found_keys)
        if gone:
            gone.write({"active": False, "date_resolved": today})
            gone.activity_id.unlink()
        still = [anomaly_id for key, (anomaly_id, seen) in existing.items() if key in found_keys and seen != today]
        if still:
            cr.execute(
                "UPDATE customer_value_anomaly SET date_last_seen = %s, write_uid = %s, "
                "write_date = now() at time zone 'UTC' WHERE id = ANY(%s)",
                [today, self.env.uid, still],
            )
            self.invalidate_model(["date_last_seen", "write_uid", "write_date"])
        new = [
            (int(partner_id), code, payload)
            for partner_id, items in anomalies.items()
            for code, payload in items
            if (int(partner_id), code) not in existing
        ]
        if not new:
            return self.browse()
        cr.execute("SELECT partner_id, id FROM customer_value WHERE company_id = %s", [company_id])
        value_by_partner = dict(cr.fetchall())
        new_vals = []
        for partner_id, code, payload in new:
            value_id = value_by_partner.get(partner_id)
            if value_id:
                new_vals.append(
                    {
                        "value_id": value_id,
                        "code": code,
                        "message": self._message_for(code, payload),
                        "date_detected": today,
                        "date_last_seen": today,
                    }
                )
        created = self.create(new_vals)
        created._schedule_activities()
        return created

    def _schedule_activities(self):
        """One to-do for the customer's salesperson per new anomaly, created in one batch."""
        model_id = self.env["ir.model"]._get_id("res.partner")
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        lang = AssigneeLanguage(self.env)
        vals_list, with_activity = [], self.browse()
        for anomaly in self:
            if not anomaly.user_id:
                continue
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": anomaly.partner_id.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "summary": lang.selection(self._name, "code", anomaly.user_id).get(anomaly.code),
                    "note": anomaly.message,
                    "user_id": anomaly.user_id.id,
                    "date_deadline": fields.Date.context_today(self),
                }
            )
            with_activity |= anomaly
        activities = self.env["mail.activity"].sudo().create(vals_list)
        for anomaly, activity in zip(with_activity, activities, strict=True):
            anomaly.activity_id = activity
