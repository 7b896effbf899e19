{
    "name": "Customer Relations",
    "summary": "Customer tiering, key-account agreements, complaint handling and "
    "satisfaction analysis for B2B manufacturers and distributors",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/customer-relations/customer_relations",
    "author": "Customer Relations Developers",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["sale_management", "survey", "hr", "portal", "mail"],
    "external_dependencies": {"python": ["pandas", "scipy", "xlsxwriter"]},
    "data": [
        "security/customer_relations_security.xml",
        "security/ir.model.access.csv",
        "data/customer_region_data.xml",
        "data/res_partner_industry_data.xml",
        "views/customer_region_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/customer_relations_menus.xml",
    ],
    "demo": [
        "demo/customer_relations_demo.xml",
    ],
}
