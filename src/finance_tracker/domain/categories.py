"""The default categories a new user starts with: two levels, expense and income."""

from __future__ import annotations

from finance_tracker.domain.text import NC_

# Marked with a gettext context: "Income" the category reads differently from the kind of a
# transaction. services/categories.py names them in the new person's language.
DEFAULT_CATEGORIES: dict[str, list[str]] = {
    NC_("default category", "Income"): [
        NC_("default category", "Salary"),
        NC_("default category", "Bonus"),
        NC_("default category", "Interest"),
        NC_("default category", "Refunds"),
        NC_("default category", "Other income"),
    ],
    NC_("default category", "Housing"): [
        NC_("default category", "Rent"),
        NC_("default category", "Mortgage"),
        NC_("default category", "Utilities"),
        NC_("default category", "Maintenance"),
        NC_("default category", "Insurance"),
    ],
    NC_("default category", "Food"): [
        NC_("default category", "Groceries"),
        NC_("default category", "Restaurants"),
        NC_("default category", "Coffee"),
    ],
    NC_("default category", "Transport"): [
        NC_("default category", "Public transport"),
        NC_("default category", "Fuel"),
        NC_("default category", "Car"),
        NC_("default category", "Taxi"),
    ],
    NC_("default category", "Health"): [
        NC_("default category", "Doctor"),
        NC_("default category", "Pharmacy"),
        NC_("default category", "Sport"),
    ],
    NC_("default category", "Shopping"): [
        NC_("default category", "Clothing"),
        NC_("default category", "Electronics"),
        NC_("default category", "Household"),
    ],
    NC_("default category", "Leisure"): [
        NC_("default category", "Entertainment"),
        NC_("default category", "Travel"),
        NC_("default category", "Subscriptions"),
        NC_("default category", "Hobbies"),
    ],
    NC_("default category", "Bills"): [
        NC_("default category", "Phone"),
        NC_("default category", "Internet"),
        NC_("default category", "Taxes"),
        NC_("default category", "Fees"),
    ],
    NC_("default category", "Family"): [
        NC_("default category", "Children"),
        NC_("default category", "Gifts"),
        NC_("default category", "Education"),
    ],
    NC_("default category", "Savings"): [
        NC_("default category", "Emergency fund"),
        NC_("default category", "Investments"),
    ],
}

DEFAULT_TAGS: list[str] = [
    NC_("default tag", "reimbursable"),
    NC_("default tag", "tax-deductible"),
    NC_("default tag", "vacation"),
]

MAX_NAME_LENGTH = 80


def full_name(parent: str | None, name: str) -> str:
    return f"{parent} › {name}" if parent else name
