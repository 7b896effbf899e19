from odoo import api, models
from odoo.tools import SQL


class CustomerSalesMeasure(models.AbstractModel):
    """The one definition of the sales figures every feature of the addon reads.

    Tiering, agreements (targets, rebates, reviews), the ranking, the composition and
    acquisition analyses, share of wallet and the forecast all measure confirmed sales with
    these fragments, so that the same customer and period give the same figure everywhere:

    * **confirmed sales**: order lines (not sections or notes) of sale orders in state
      ``sale``; quotations and cancelled orders do not count, returns (negative lines)
      lower the figures;
    * **customer**: the commercial entity of the ordering partner (a contact's orders count
      for its company);
    * **revenue**: the line's untaxed subtotal (``price_subtotal``) in company currency at
      the order's rate, as ``sale.report`` converts it;
    * **quantity**: the ordered quantity converted to the product's unit of measure, as
      ``sale.report`` converts it (a line sold by the dozen counts 12 units);
    * **margin**: revenue less quantity x the product's cost in the order's company, on the
      lines whose product has a cost; a line whose product has no cost (0 or none) is left
      out of the margin (it counts neither as all margin nor as zero margin).

    Callers either read ``_sales_lines_sql()`` (one row per confirmed line with every measure)
    and aggregate it, or, for a tuned statement of their own (the tiering recompute), build
    their expressions from the same fragments.
    """

    _name = "customer.sales.measure"
    _description = "Confirmed Sales Measures"

    # ------------------------------------------------------------------
    # Fragments
    # ------------------------------------------------------------------
    @api.model
    def _sales_sql_confirmed(self, order="so", line="sol"):
        """Condition: a line of a confirmed order that is not a section or note."""
        return SQL(
            "(%s.state = 'sale' AND %s.display_type IS NULL)",
            SQL.identifier(order),
            SQL.identifier(line),
        )

    @api.model
    def _sales_sql_revenue(self, order="so", line="sol"):
        """Revenue of one line: untaxed, in company currency at the order's rate."""
        return SQL(
            "(%s.price_subtotal::float8 / COALESCE(NULLIF(%s.currency_rate, 0), 1)::float8)",
            SQL.identifier(line),
            SQL.identifier(order),
        )

    @api.model
    def _sales_sql_quantity(self, quantity, line_factor, product_factor):
        """Quantity in the product's unit from the line's quantity and the two units' factors
        (SQL expressions; a missing factor counts as 1)."""
        return SQL(
            "(%s::float8 / COALESCE(NULLIF(%s, 0), 1)::float8 * COALESCE(NULLIF(%s, 0), 1)::float8)",
            quantity,
            line_factor,
            product_factor,
        )

    @api.model
    def _sales_sql_unit_cost(self, product, company_key):
        """Cost of one product unit in a company (``company_key``: SQL text of the company
        id), NULL when the product has no cost there."""
        return SQL(
            "NULLIF((%s.standard_price ->> %s)::float8, 0)",
            SQL.identifier(product),
            company_key,
        )

    @api.model
    def _sales_sql_margin(self, revenue, quantity, unit_cost):
        """Margin of one line, NULL when the unit cost is unknown (left out of sums)."""
        return SQL("(%s - %s * %s)", revenue, quantity, unit_cost)

    # ------------------------------------------------------------------
    # The lines
    # ------------------------------------------------------------------
    @api.model
    def _sales_lines_sql(self, company_ids=None, date_from=None, date_to=None):
        """One row per confirmed order line, as a sub-query: ``partner_id`` (commercial
        entity), ``company_id``, ``order_id``, ``date_order``, ``product_id``, ``categ_id``,
        ``categ_path`` (the category's parent path), ``revenue``, ``quantity``, ``cost`` and
        ``margin`` (both NULL when the cost is unknown).

        :param company_ids: limit to these companies (all when None)
        :param date_from: first order datetime/date included (None: no limit)
        :param date_to: first order datetime/date excluded (None: no limit)
        """
        conditions = [self._sales_sql_confirmed()]
        if company_ids is not None:
            conditions.append(SQL("so.company_id = ANY(%s)", list(company_ids)))
        if date_from is not None:
            conditions.append(SQL("so.date_order >= %s", date_from))
        if date_to is not None:
            conditions.append(SQL("so.date_order < %s", date_to))
        revenue = self._sales_sql_revenue()
        quantity = self._sales_sql_quantity(SQL("sol.product_uom_qty"), SQL("lu.factor"), SQL("pu.factor"))
        unit_cost = self._sales_sql_unit_cost("pp", SQL("so.company_id::varchar"))
        return SQL(
            """(SELECT rp.commercial_partner_id AS partner_id, so.company_id, so.id AS order_id,
                       so.date_order, sol.product_id, pt.categ_id, pc.parent_path AS categ_path,
                       %(revenue)s AS revenue, %(quantity)s AS quantity,
                       %(quantity)s * %(unit_cost)s AS cost,
                       %(margin)s AS margin
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner rp ON rp.id = so.partner_id
             LEFT JOIN product_product pp ON pp.id = sol.product_id
             LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
             LEFT JOIN product_category pc ON pc.id = pt.categ_id
             LEFT JOIN uom_uom lu ON lu.id = sol.product_uom
             LEFT JOIN uom_uom pu ON pu.id = pt.uom_id
                 WHERE %(where)s)""",
            revenue=revenue,
            quantity=quantity,
            unit_cost=unit_cost,
            margin=self._sales_sql_margin(revenue, quantity, unit_cost),
            where=SQL(" AND ").join(conditions),
        )

    @api.model
    def _sales_figures(self, company_id, date_from, date_to, partner_ids=None):
        """{commercial partner id: {revenue, margin, quantity, orders}} of confirmed sales in
        [date_from, date_to) (datetimes or dates), one grouped query."""
        self.env.flush_all()
        lines = self._sales_lines_sql([company_id], date_from, date_to)
        condition = SQL("l.partner_id = ANY(%s)", list(partner_ids)) if partner_ids is not None else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                """SELECT l.partner_id, SUM(l.revenue), SUM(l.margin), SUM(l.quantity), COUNT(DISTINCT l.order_id)
                     FROM %s l WHERE %s GROUP BY l.partner_id""",
                lines,
                condition,
            )
        )
        return {
            partner_id: {
                "revenue": revenue or 0.0,
                "margin": margin,
                "quantity": quantity or 0.0,
                "orders": orders,
            }
            for partner_id, revenue, margin, quantity, orders in self.env.cr.fetchall()
        }
