import base64

from markupsafe import Markup, escape

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

PAGE_SIZE = 20
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class ComplaintPortal(CustomerPortal):
    """Customers submit complaints and follow their company's complaints, nobody else's."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "complaint_count" in counters:
            Complaint = request.env["customer.complaint"]
            values["complaint_count"] = (
                Complaint.search_count(self._complaint_domain()) if Complaint.has_access("read") else 0
            )
        return values

    def _complaint_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "=", partner.id)]

    def _complaint_check_access(self, complaint_id, access_token=None):
        """The document check of the portal, stricter for logged-in customers: a contact of
        another company is refused even with a valid token."""
        complaint = self._document_check_access("customer.complaint", complaint_id, access_token)
        user = request.env.user
        if user.share and not user._is_public():
            if complaint.partner_id != user.partner_id.commercial_partner_id:
                raise AccessError(request.env._("This complaint belongs to another customer."))
        return complaint

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_complaints(self, page=1, **kw):
        Complaint = request.env["customer.complaint"]
        domain = self._complaint_domain()
        count = Complaint.search_count(domain)
        pager = portal_pager(url="/my/complaints", total=count, page=page, step=PAGE_SIZE)
        complaints = Complaint.search(domain, limit=PAGE_SIZE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "complaints": complaints,
                "pager": pager,
                "page_name": "complaint",
                "default_url": "/my/complaints",
            }
        )
        return request.render("customer_relations.portal_my_complaints", values)

    @http.route("/my/complaints/<int:complaint_id>", type="http", auth="public", website=True)
    def portal_complaint_page(self, complaint_id, access_token=None, **kw):
        try:
            complaint = self._complaint_check_access(complaint_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            complaint, access_token, {"complaint": complaint, "page_name": "complaint"}, "my_complaints_history", False
        )
        return request.render("customer_relations.portal_complaint_page", values)

    def _complaint_form_orders(self, partner):
        return (
            request.env["sale.order"]
            .sudo()
            .search([("partner_id", "child_of", partner.id), ("state", "=", "sale")], limit=200)
        )

    def _complaint_form_products(self, partner):
        return self._complaint_form_orders(partner).order_line.product_id

    def _complaint_form_values(self, error=None, posted=None):
        partner = request.env.user.partner_id.commercial_partner_id
        orders = self._complaint_form_orders(partner)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "categories": request.env["customer.complaint.category"].sudo().search([]),
                "orders": orders,
                "products": orders.order_line.product_id,
                "error": error or {},
                "posted": posted or {},
                "page_name": "complaint_new",
            }
        )
        return values

    @http.route("/my/complaints/new", type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_complaint_new(self, **post):
        user = request.env.user
        if not user.share:
            return request.redirect("/odoo/action-customer_relations.customer_complaint_action")
        if request.httprequest.method != "POST":
            return request.render("customer_relations.portal_complaint_new", self._complaint_form_values())
        values, error = self._complaint_values_from_post(post)
        if error:
            return request.render("customer_relations.portal_complaint_new", self._complaint_form_values(error, post))
        complaint = request.env["customer.complaint"].sudo().create(values)
        complaint._notify_portal_intake()
        for upload in request.httprequest.files.getlist("attachments"):
            content = upload.read()
            if not content:
                continue
            if len(content) > MAX_ATTACHMENT_BYTES:
                complaint.message_post(
                    body=request.env._("An attachment over 10 MB was not kept: %(name)s", name=upload.filename)
                )
                continue
            request.env["ir.attachment"].sudo().create(
                {
                    "name": upload.filename,
                    "datas": base64.b64encode(content),
                    "res_model": "customer.complaint",
                    "res_id": complaint.id,
                }
            )
        return request.redirect(f"/my/complaints/{complaint.id}")

    @staticmethod
    def _post_id(post, name):
        """The record id posted in ``name``: 0 when empty, None when it is not a number."""
        raw = (post.get(name) or "").strip()
        if not raw:
            return 0
        return int(raw) if raw.isdigit() else None

    def _complaint_values_from_post(self, post):
        env = request.env
        partner = env.user.partner_id.commercial_partner_id
        error = {}
        ids = {name: self._post_id(post, name) for name in ("category_id", "sale_order_id", "product_id")}
        category = env["customer.complaint.category"].sudo().browse(ids["category_id"] or []).exists()
        if not category:
            error["category_id"] = env._("Choose what the complaint is about.")
        description = (post.get("description") or "").strip()
        if not description:
            error["description"] = env._("Describe the problem.")
        title = (post.get("title") or "").strip() or description[:60]
        order = env["sale.order"].sudo().browse(ids["sale_order_id"] or []).exists()
        if ids["sale_order_id"] is None or (
            order and (order.partner_id.commercial_partner_id != partner or order.state != "sale")
        ):
            error["sale_order_id"] = env._("This order is not one of yours.")
            order = order.browse()
        # Only the products the form offers (those of the customer's confirmed orders): any other
        # id is refused without saying whether it exists, and its name is never shown.
        product = env["product.product"].browse()
        if ids["product_id"]:
            product = self._complaint_form_products(partner).filtered(lambda p: p.id == ids["product_id"])
        if ids["product_id"] is None or (ids["product_id"] and not product):
            error["product_id"] = env._("Choose one of the products you bought from the list.")
        values = {
            "title": title,
            "partner_id": partner.id,
            "contact_id": env.user.partner_id.id,
            "channel": "portal",
            "category_id": category.id,
            "description": Markup("<p>%s</p>") % escape(description).replace("\n", Markup("<br/>")),
            "sale_order_id": order.id or False,
            "product_id": product.id or False,
            "intake_user_id": partner.user_id.id or False,
            "company_id": (order.company_id or partner.company_id or env.user.company_id).id,
        }
        return values, error
