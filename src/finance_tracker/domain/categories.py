"""The default categories a new user starts with: two levels, expense and income."""

from __future__ import annotations

DEFAULT_CATEGORIES: dict[str, list[str]] = {
    "Income": ["Salary", "Bonus", "Interest", "Refunds", "Other income"],
    "Housing": ["Rent", "Mortgage", "Utilities", "Maintenance", "Insurance"],
    "Food": ["Groceries", "Restaurants", "Coffee"],
    "Transport": ["Public transport", "Fuel", "Car", "Taxi"],
    "Health": ["Doctor", "Pharmacy", "Sport"],
    "Shopping": ["Clothing", "Electronics", "Household"],
    "Leisure": ["Entertainment", "Travel", "Subscriptions", "Hobbies"],
    "Bills": ["Phone", "Internet", "Taxes", "Fees"],
    "Family": ["Children", "Gifts", "Education"],
    "Savings": ["Emergency fund", "Investments"],
}

DEFAULT_TAGS: list[str] = ["reimbursable", "tax-deductible", "vacation"]

MAX_NAME_LENGTH = 80


def full_name(parent: str | None, name: str) -> str:
    return f"{parent} › {name}" if parent else name
