"""Selections of the customer file and relationship care (labels stay plain strings)."""

MARKET_STATUS = [("main", "Main market"), ("developing", "Developing market")]

REVENUE_BAND = [
    ("lt10m", "Under 10 million"),
    ("10m_50m", "10 to 50 million"),
    ("50m_200m", "50 to 200 million"),
    ("200m_1b", "200 million to 1 billion"),
    ("gt1b", "Over 1 billion"),
]

POTENTIAL = [("high", "High"), ("medium", "Medium"), ("low", "Low")]

MARKET_POSITION = [
    ("leader", "Market leader"),
    ("challenger", "Challenger"),
    ("follower", "Follower"),
    ("niche", "Niche player"),
]

CREDIT_RATING = [
    ("aaa", "AAA"),
    ("aa", "AA"),
    ("a", "A"),
    ("bbb", "BBB"),
    ("bb", "BB"),
    ("b", "B"),
    ("c", "C"),
]

PURCHASE_ROLE = [
    ("decision_maker", "Decision maker"),
    ("influencer", "Influencer"),
    ("user", "User"),
    ("purchaser", "Purchaser"),
]

CONTACT_CHANNEL = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("wechat", "WeChat"),
    ("visit", "Visit"),
    ("letter", "Letter"),
]

CONTACT_FREQUENCY = [
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("yearly", "Yearly"),
]

INTERACTION_TYPE = [
    ("visit", "Visit"),
    ("call", "Call"),
    ("seminar", "Seminar"),
    ("launch", "Product launch"),
    ("greeting", "Greeting"),
    ("gift", "Gift"),
    ("service", "Service call"),
]

CARE_OCCASION = [
    ("birthday", "Birthday"),
    ("anniversary", "Company anniversary"),
    ("holiday", "Holiday"),
]

FORECAST_PERIOD = [("month", "Month"), ("quarter", "Quarter")]
