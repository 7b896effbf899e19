from datetime import date

from cr_engine.demo_data import CATALOG, CUSTOMERS, build_demo_plan, month_starts

END = date(2026, 10, 31)


def test_same_seed_gives_the_same_plan():
    assert build_demo_plan(END, seed=7) == build_demo_plan(END, seed=7)


def test_another_seed_gives_other_orders():
    first = build_demo_plan(END, seed=7)["customers"]
    second = build_demo_plan(END, seed=8)["customers"]
    assert [c["orders"] for c in first] != [c["orders"] for c in second]


def test_plan_covers_about_forty_customers_with_chinese_and_english_names():
    customers = build_demo_plan(END)["customers"]
    assert len(customers) == len(CUSTOMERS) == 40
    assert len({c["ref"] for c in customers}) == 40
    for customer in customers:
        assert any("\u4e00" <= char <= "\u9fff" for char in customer["name"])
        assert any(char.isascii() and char.isalpha() for char in customer["name"])
        assert customer["contacts"]


def test_orders_stay_inside_the_window_and_use_catalogue_products():
    months = 30
    plan = build_demo_plan(END, months=months)
    first_day = month_starts(END, months)[0]
    codes = {code for _name, items in CATALOG.values() for code, *_rest in items}
    orders = [order for customer in plan["customers"] for order in customer["orders"]]
    assert 500 < len(orders) < 3000
    for order in orders:
        assert first_day <= order["date"] <= END
        assert order["lines"]
        for code, quantity in order["lines"]:
            assert code in codes
            assert quantity >= 1


def test_trends_show_in_the_data():
    plan = build_demo_plan(END, months=30)
    by_ref = {c["ref"]: c for c in plan["customers"]}

    def last_order(customer):
        return max(order["date"] for order in customer["orders"])

    def first_order(customer):
        return min(order["date"] for order in customer["orders"])

    lost = [c for c in plan["customers"] if c["trend"] == "lost"]
    new = [c for c in plan["customers"] if c["trend"] == "new"]
    assert lost and new
    for customer in lost:  # a lost customer stopped ordering months before the end
        assert (END - last_order(customer)).days > 180
    for customer in new:  # a new customer started in the last quarter of the window
        assert (END - first_order(customer)).days < 250
    assert by_ref["CR001"]["orders"]


def test_small_plan_is_a_prefix_of_the_customers():
    plan = build_demo_plan(END, n_customers=3, months=4)
    assert [c["ref"] for c in plan["customers"]] == ["CR001", "CR002", "CR003"]
    assert all(order["date"] >= date(2026, 7, 1) for c in plan["customers"] for order in c["orders"])


def test_month_starts_cross_year_boundary():
    assert month_starts(date(2026, 2, 14), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
