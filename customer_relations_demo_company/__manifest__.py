{
    "name": "Customer Relations: Demo Company",
    "summary": "Makes the demo database's company a Chinese manufacturer (renminbi) before "
    "the accounting demo books anything; does nothing without demo data",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/customer-relations/customer_relations",
    "author": "Customer Relations Developers",
    "license": "LGPL-3",
    "depends": ["base"],
    "demo": ["demo/res_company_demo.xml"],
    "installable": True,
}
