"""Deterministic plan of the addon's demo data.

The plan is plain data (dicts and lists) built from a seed and an end date, so the same
inputs always give the same customers, contacts, products and orders. The Odoo side only
writes the plan into the database (``customer.relations.demo``).
"""

import random
from datetime import date, timedelta

DEFAULT_SEED = 20240601

# (key, Chinese name, English name)
REGIONS = [
    ("east", "华东", "East China"),
    ("north", "华北", "North China"),
    ("northeast", "东北", "Northeast China"),
    ("northwest", "西北", "Northwest China"),
    ("southwest", "西南", "Southwest China"),
    ("central", "华中", "Central China"),
    ("south", "华南", "South China"),
]

INDUSTRIES = [
    ("hotel", "酒店 Hotel"),
    ("hospital", "医院 Hospital"),
    ("laundry", "工业洗涤 Industrial laundry"),
    ("railway", "铁路 Railway"),
    ("school", "学校 School"),
    ("eyewear", "眼镜零售连锁 Eyewear retail chain"),
    ("steel", "钢材采购 Steel buyer"),
    ("distributor", "经销商 Distributor"),
]

# category key -> (category name, [(product code, name, list price, cost)])
CATALOG = {
    "washer": (
        "洗脱机 Washer-extractors",
        [
            ("WE-25", "洗脱机 25kg Washer-extractor 25 kg", 48000.0, 33000.0),
            ("WE-50", "洗脱机 50kg Washer-extractor 50 kg", 86000.0, 61000.0),
            ("WE-100", "洗脱机 100kg Washer-extractor 100 kg", 152000.0, 109000.0),
        ],
    ),
    "dryer": (
        "烘干机 Tumble dryers",
        [
            ("TD-30", "烘干机 30kg Tumble dryer 30 kg", 36000.0, 25500.0),
            ("TD-60", "烘干机 60kg Tumble dryer 60 kg", 58000.0, 41000.0),
        ],
    ),
    "ironer": (
        "烫平机 Flatwork ironers",
        [
            ("FI-2800", "烫平机 2.8m Flatwork ironer 2.8 m", 125000.0, 90000.0),
            ("FI-3300", "烫平机 3.3m Flatwork ironer 3.3 m", 168000.0, 121000.0),
        ],
    ),
    "parts": (
        "备件 Spare parts",
        [
            ("SP-BRG", "轴承组件 Drum bearing kit", 2600.0, 1500.0),
            ("SP-DOOR", "门封 Door seal", 480.0, 220.0),
            ("SP-PCB", "控制板 Control board", 5200.0, 3300.0),
        ],
    ),
    "chemical": (
        "洗涤化料 Laundry chemicals",
        [
            ("CH-DET", "主洗剂 Main detergent 25 kg", 680.0, 410.0),
            ("CH-SOFT", "柔顺剂 Fabric softener 20 kg", 520.0, 300.0),
        ],
    ),
    "lens": (
        "隐形眼镜 Contact lenses",
        [
            ("CL-DAY", "日抛隐形眼镜 Daily lenses (box of 30)", 95.0, 52.0),
            ("CL-MON", "月抛隐形眼镜 Monthly lenses (box of 6)", 120.0, 64.0),
            ("CL-SOL", "护理液 Lens care solution 360 ml", 38.0, 17.0),
        ],
    ),
    "steel": (
        "钢材 Steel products",
        [
            ("ST-HRC", "热轧卷 Hot-rolled coil (t)", 3900.0, 3350.0),
            ("ST-CRC", "冷轧卷 Cold-rolled coil (t)", 4700.0, 3980.0),
            ("ST-REB", "螺纹钢 Rebar (t)", 3600.0, 3150.0),
        ],
    ),
    "service": (
        "服务合同 Service contracts",
        [
            ("SV-MAINT", "年度维保 Annual maintenance contract", 18000.0, 9000.0),
            ("SV-TRAIN", "操作培训 Operator training day", 3500.0, 1200.0),
        ],
    ),
}

# Which categories each industry buys, most important first.
INDUSTRY_CATEGORIES = {
    "hotel": ["washer", "dryer", "ironer", "chemical", "parts", "service"],
    "hospital": ["washer", "dryer", "chemical", "parts", "service"],
    "laundry": ["washer", "ironer", "dryer", "parts", "chemical", "service"],
    "railway": ["washer", "ironer", "parts", "service"],
    "school": ["washer", "dryer", "parts"],
    "eyewear": ["lens"],
    "steel": ["steel"],
    "distributor": ["parts", "chemical", "washer", "dryer", "lens"],
}

# Seasonality multipliers by month (1..12) for each industry.
SEASONALITY = {
    "hotel": [0.8, 0.7, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.1, 1.2, 0.8, 0.8],
    "school": [0.6, 0.5, 0.9, 1.0, 1.0, 1.4, 1.6, 1.5, 1.1, 0.9, 0.8, 0.7],
    "eyewear": [1.1, 0.8, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.0, 1.0, 1.1, 1.3],
    "steel": [0.7, 0.5, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 1.1, 1.1, 1.0, 0.9],
}

# (Chinese name, English name, industry, region, city, size, trend)
# size: monthly revenue level; trend: growth, decline, stable, new, lost, volatile
CUSTOMERS = [
    ("锦江国际酒店（上海）", "Jinjiang International Hotel Shanghai", "hotel", "east", "上海", 3, "stable"),
    ("北京饭店", "Beijing Hotel", "hotel", "north", "北京", 2, "growth"),
    ("西安唐华宾馆", "Xi'an Tanghua Hotel", "hotel", "northwest", "西安", 1, "decline"),
    ("成都锦城酒店集团", "Chengdu Jincheng Hotel Group", "hotel", "southwest", "成都", 2, "stable"),
    ("武汉东湖宾馆", "Wuhan East Lake Guesthouse", "hotel", "central", "武汉", 1, "new"),
    ("广州白云国际酒店", "Guangzhou Baiyun International Hotel", "hotel", "south", "广州", 2, "volatile"),
    ("复旦大学附属中山医院", "Zhongshan Hospital Fudan University", "hospital", "east", "上海", 3, "growth"),
    ("北京协和医院", "Peking Union Medical College Hospital", "hospital", "north", "北京", 3, "stable"),
    ("兰州大学第一医院", "First Hospital of Lanzhou University", "hospital", "northwest", "兰州", 1, "stable"),
    ("华西医院", "West China Hospital", "hospital", "southwest", "成都", 2, "growth"),
    ("湘雅医院", "Xiangya Hospital", "hospital", "central", "长沙", 2, "decline"),
    ("沈阳医大一院", "First Hospital of China Medical University", "hospital", "northeast", "沈阳", 1, "lost"),
    ("上海白玉兰洗涤有限公司", "Shanghai Magnolia Laundry Co., Ltd.", "laundry", "east", "上海", 4, "growth"),
    ("天津洁美洗涤服务公司", "Tianjin Jiemei Laundry Services", "laundry", "north", "天津", 3, "stable"),
    ("西宁雪莲洗涤中心", "Xining Snow Lotus Laundry Centre", "laundry", "northwest", "西宁", 1, "growth"),
    ("重庆山城布草洗涤", "Chongqing Shancheng Linen Laundry", "laundry", "southwest", "重庆", 2, "decline"),
    ("郑州洁雅洗涤集团", "Zhengzhou Jieya Laundry Group", "laundry", "central", "郑州", 3, "volatile"),
    ("深圳蓝天洗涤科技", "Shenzhen Blue Sky Laundry Technology", "laundry", "south", "深圳", 2, "new"),
    ("哈尔滨冰城洗涤", "Harbin Ice City Laundry", "laundry", "northeast", "哈尔滨", 1, "lost"),
    ("中铁上海局客运段", "China Railway Shanghai Bureau Passenger Depot", "railway", "east", "上海", 3, "stable"),
    (
        "乌鲁木齐铁路局后勤中心",
        "Urumqi Railway Bureau Logistics Centre",
        "railway",
        "northwest",
        "乌鲁木齐",
        2,
        "growth",
    ),
    ("郑州铁路局卧具洗涤厂", "Zhengzhou Railway Bedding Laundry Works", "railway", "central", "郑州", 2, "decline"),
    ("浙江大学后勤集团", "Zhejiang University Logistics Group", "school", "east", "杭州", 1, "stable"),
    (
        "西北工业大学后勤处",
        "Northwestern Polytechnical University Services",
        "school",
        "northwest",
        "西安",
        1,
        "growth",
    ),
    ("四川大学后勤保障部", "Sichuan University Support Services", "school", "southwest", "成都", 1, "new"),
    ("宝岛眼镜连锁", "Baodao Optical Chain", "eyewear", "east", "上海", 3, "growth"),
    ("精益眼镜", "Jingyi Optical", "eyewear", "north", "北京", 2, "stable"),
    ("大明眼镜", "Daming Optical", "eyewear", "east", "南京", 2, "decline"),
    ("吴良材眼镜", "Wuliangcai Optical", "eyewear", "east", "上海", 1, "volatile"),
    ("亨达利视光", "Hengdali Vision", "eyewear", "south", "广州", 1, "new"),
    ("陕西重型机械有限公司", "Shaanxi Heavy Machinery Co., Ltd.", "steel", "northwest", "西安", 4, "stable"),
    ("武汉长江船舶重工", "Wuhan Yangtze Shipbuilding Heavy Industry", "steel", "central", "武汉", 4, "decline"),
    ("唐山建工集团", "Tangshan Construction Engineering Group", "steel", "north", "唐山", 3, "growth"),
    ("重庆长安汽车配件", "Chongqing Chang'an Auto Parts", "steel", "southwest", "重庆", 3, "volatile"),
    ("沈阳北方桥梁钢构", "Shenyang Northern Bridge Steel Structures", "steel", "northeast", "沈阳", 2, "lost"),
    (
        "华东机电设备经销有限公司",
        "East China Mechanical & Electrical Distribution",
        "distributor",
        "east",
        "苏州",
        3,
        "growth",
    ),
    ("甘肃陇原商贸", "Gansu Longyuan Trading", "distributor", "northwest", "兰州", 1, "stable"),
    (
        "云南彩云洗涤设备经销",
        "Yunnan Caiyun Laundry Equipment Dealer",
        "distributor",
        "southwest",
        "昆明",
        1,
        "decline",
    ),
    ("湖南潇湘商贸", "Hunan Xiaoxiang Trading", "distributor", "central", "长沙", 2, "new"),
    ("广东粤南贸易", "Guangdong Yuenan Trading", "distributor", "south", "佛山", 2, "stable"),
]

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱"]
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "霞", "平"]
FUNCTIONS = [
    "采购经理 Purchasing Manager",
    "总经理 General Manager",
    "设备主管 Equipment Supervisor",
    "后勤主任 Facilities Director",
    "财务经理 Finance Manager",
]

# Monthly revenue level by size, in company currency.
SIZE_REVENUE = {1: 25000.0, 2: 60000.0, 3: 140000.0, 4: 320000.0}


def month_starts(end, months):
    """The first day of each of the ``months`` months ending with ``end``'s month."""
    year, month = end.year, end.month
    starts = []
    for _index in range(months):
        starts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


def _trend_factor(trend, index, months, rng_state):
    """Revenue multiplier of month ``index`` (0 = oldest) for a trend kind, or 0 for none."""
    position = index / max(months - 1, 1)
    if trend == "growth":
        return 0.6 + 0.9 * position
    if trend == "decline":
        return 1.3 - 0.9 * position if position > 0.4 else 1.3
    if trend == "new":
        return 0.0 if position < 0.75 else 0.8
    if trend == "lost":
        return 0.0 if position > 0.7 else 1.0
    if trend == "volatile":
        return rng_state.uniform(0.3, 1.7)
    return 1.0


def _product_for_budget(rng, products, budget):
    """Pick a product and a quantity that spends roughly ``budget``."""
    code, _name, price, _cost = rng.choice(products)
    quantity = max(1, round(budget / price))
    return code, min(quantity, 500)


def build_demo_plan(end, seed=DEFAULT_SEED, n_customers=None, months=30):
    """Return the demo data plan: a dict of regions, industries, categories and customers.

    Each customer dict carries its contacts and orders; each order has a date and lines of
    ``(product code, quantity)``. The same ``end``, ``seed``, ``n_customers`` and ``months``
    always give the same plan.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    rng = random.Random(seed)
    chosen = CUSTOMERS if n_customers is None else CUSTOMERS[:n_customers]
    starts = month_starts(end, months)
    customers = []
    for number, (zh_name, en_name, industry, region, city, size, trend) in enumerate(chosen, 1):
        categories = INDUSTRY_CATEGORIES[industry]
        # Breadth of purchase differs: some customers buy only the first category or two.
        breadth = rng.choice([1, 2, len(categories)]) if len(categories) > 2 else len(categories)
        bought = categories[:breadth]
        season = SEASONALITY.get(industry, [1.0] * 12)
        contacts = []
        for contact_index in range(rng.choice([1, 2, 2, 3])):
            contacts.append(
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES) + rng.choice(["", "华", "立"]),
                    "function": FUNCTIONS[(number + contact_index) % len(FUNCTIONS)],
                    "phone": f"+86 {rng.randint(130, 189):03d} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}",
                }
            )
        orders = []
        for index, month_start in enumerate(starts):
            factor = _trend_factor(trend, index, months, rng) * season[month_start.month - 1]
            if factor <= 0:
                continue
            budget = SIZE_REVENUE[size] * factor * rng.uniform(0.7, 1.3)
            n_orders = 1 if budget < 90000 else 2
            if rng.random() < 0.15:
                continue  # a month without orders now and then
            for _order in range(n_orders):
                day = rng.randint(0, 27)
                lines = {}
                for _line in range(rng.randint(1, 3)):
                    category = rng.choice(bought)
                    code, quantity = _product_for_budget(rng, CATALOG[category][1], budget / n_orders / 2)
                    lines[code] = lines.get(code, 0) + quantity
                if month_start + timedelta(days=day) > end:
                    day = max(0, (end - month_start).days)
                orders.append(
                    {
                        "date": month_start + timedelta(days=day),
                        "lines": sorted(lines.items()),
                    }
                )
        customers.append(
            {
                "ref": f"CR{number:03d}",
                "name": f"{zh_name} {en_name}",
                "industry": industry,
                "region": region,
                "city": city,
                "trend": trend,
                "contacts": contacts,
                "orders": orders,
            }
        )
    return {
        "regions": REGIONS,
        "industries": INDUSTRIES,
        "catalog": CATALOG,
        "customers": customers,
    }
