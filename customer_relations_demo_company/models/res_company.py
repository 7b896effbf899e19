from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _customer_relations_demo_identity(self):
        """Give the main company of a demo database its Chinese identity: name, address,
        renminbi and the Chinese chart of accounts.

        This module depends on ``base`` alone, so Odoo loads it before ``account``. The company
        is therefore Chinese when the accounting demo runs, and Odoo's accounting demo books its
        sample invoices only for companies in the United States or without a country: the
        company's books start empty. Odoo picks the chart of accounts of a new accounting by the
        company's country and takes the currency of the chart's fiscal country; the generic
        chart is American (dollars), so the Chinese localization (``l10n_cn``, whose chart is
        in renminbi) is added to the modules being installed, as Odoo does itself for the
        country of a new database. Odoo refuses to change the currency of a company with journal
        items: where accounting is already installed (this module added by an upgrade, or called
        again by the Customer Relations demo after other demo data renamed the company), only
        the name and address are written, and the currency only while no entry is booked.
        """
        company = self.env.ref("base.main_company")
        company.write(
            {
                "name": "苏州恒泰洗涤机械有限公司",
                "street": "苏州工业园区星湖街 218 号",
                "street2": False,
                "city": "苏州",
                "zip": "215021",
                "state_id": self.env.ref("base.state_cn_JS").id,
                "country_id": self.env.ref("base.cn").id,
                "phone": "+86 512 6288 0000",
                "email": "service@hengtai-laundry.example.com",
                "website": "https://hengtai-laundry.example.com",
                "vat": False,
            }
        )
        renminbi = self.env.ref("base.CNY")
        if company.currency_id != renminbi and not self._customer_relations_demo_booked(company):
            renminbi.active = True
            company.currency_id = renminbi
        account = self.env.ref("base.module_account")
        localization = self.env.ref("base.module_l10n_cn", raise_if_not_found=False)
        if account.state == "to install" and localization and localization.state == "uninstalled":
            localization.button_install()
        return company

    @api.model
    def _customer_relations_demo_booked(self, company):
        """Whether the company has journal items. Asked of the database, not of the registry:
        during an upgrade this module loads before ``account``, whose models are then not yet
        in the registry although its tables and entries exist."""
        self.env.cr.execute("SELECT to_regclass('account_move_line') IS NOT NULL")
        if not self.env.cr.fetchone()[0]:
            return False
        self.env.cr.execute("SELECT 1 FROM account_move_line WHERE company_id = %s LIMIT 1", [company.id])
        return bool(self.env.cr.fetchone())
