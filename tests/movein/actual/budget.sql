-- An Actual Budget database, the tables and columns this importer reads, as Actual writes them
-- (loot-core's schema): amounts in cents, dates as YYYYMMDD numbers, ids as text.
CREATE TABLE accounts (id TEXT PRIMARY KEY, account_id TEXT, name TEXT, balance_current INTEGER,
  balance_available INTEGER, balance_limit INTEGER, mask TEXT, official_name TEXT, type TEXT,
  subtype TEXT, bank TEXT, offbudget INTEGER DEFAULT 0, closed INTEGER DEFAULT 0,
  tombstone INTEGER DEFAULT 0, sort_order REAL);
CREATE TABLE category_groups (id TEXT PRIMARY KEY, name TEXT UNIQUE, is_income INTEGER DEFAULT 0,
  sort_order REAL, tombstone INTEGER DEFAULT 0, hidden BOOLEAN NOT NULL DEFAULT 0);
CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT, is_income INTEGER DEFAULT 0,
  cat_group TEXT, sort_order REAL, tombstone INTEGER DEFAULT 0, hidden BOOLEAN NOT NULL DEFAULT 0);
CREATE TABLE category_mapping (id TEXT PRIMARY KEY, transferId TEXT);
CREATE TABLE payees (id TEXT PRIMARY KEY, name TEXT, category TEXT, tombstone INTEGER DEFAULT 0,
  transfer_acct TEXT);
CREATE TABLE payee_mapping (id TEXT PRIMARY KEY, targetId TEXT);
CREATE TABLE transactions (id TEXT PRIMARY KEY, isParent INTEGER DEFAULT 0,
  isChild INTEGER DEFAULT 0, acct TEXT, category TEXT, amount INTEGER, description TEXT,
  notes TEXT, date INTEGER, financial_id TEXT, type TEXT, location TEXT, error TEXT,
  imported_description TEXT, starting_balance_flag INTEGER DEFAULT 0, transferred_id TEXT,
  sort_order REAL, tombstone INTEGER DEFAULT 0, cleared INTEGER DEFAULT 1,
  pending INTEGER DEFAULT 0, parent_id TEXT, schedule TEXT, reconciled INTEGER DEFAULT 0);
CREATE TABLE zero_budgets (id TEXT PRIMARY KEY, month INTEGER, category TEXT,
  amount INTEGER DEFAULT 0, carryover INTEGER DEFAULT 0, goal INTEGER DEFAULT NULL);
CREATE TABLE messages_crdt (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL UNIQUE,
  dataset TEXT NOT NULL, row TEXT NOT NULL, column TEXT NOT NULL, value BLOB NOT NULL);

INSERT INTO accounts (id, name, offbudget, closed, tombstone, sort_order) VALUES
  ('acc-checking', 'Checking', 0, 0, 0, 1),
  ('acc-savings', 'Savings', 0, 0, 0, 2),
  ('acc-old', 'Old bank', 0, 1, 1, 3);

INSERT INTO category_groups (id, name, is_income, sort_order) VALUES
  ('grp-usual', 'Usual Expenses', 0, 1),
  ('grp-bills', 'Bills', 0, 2),
  ('grp-income', 'Income', 1, 3);
INSERT INTO categories (id, name, is_income, cat_group, sort_order, tombstone) VALUES
  ('cat-food', 'Food', 0, 'grp-usual', 1, 0),
  ('cat-general', 'General', 0, 'grp-usual', 2, 0),
  ('cat-restaurants', 'Restaurants', 0, 'grp-usual', 3, 1),
  ('cat-power', 'Power', 0, 'grp-bills', 4, 0),
  ('cat-phone', 'Phone', 0, 'grp-bills', 5, 1),
  ('cat-salary', 'Salary', 1, 'grp-income', 6, 0);
-- Restaurants was deleted and its transactions moved to Food; Phone was deleted, mapped nowhere.
INSERT INTO category_mapping (id, transferId) VALUES
  ('cat-food', 'cat-food'), ('cat-general', 'cat-general'), ('cat-power', 'cat-power'),
  ('cat-salary', 'cat-salary'), ('cat-restaurants', 'cat-food'), ('cat-phone', 'cat-phone');

INSERT INTO payees (id, name, transfer_acct, tombstone) VALUES
  ('pay-checking', '', 'acc-checking', 0),
  ('pay-savings', '', 'acc-savings', 0),
  ('pay-start', 'Starting Balance', NULL, 0),
  ('pay-aldi', 'Aldi', NULL, 0),
  ('pay-aldi-sued', 'ALDI SUED', NULL, 1),
  ('pay-acme', 'ACME Corp', NULL, 0),
  ('pay-power', 'City Power', NULL, 0),
  ('pay-phone', 'Phone Co', NULL, 0),
  ('pay-pizza', 'Pizza Place', NULL, 0),
  ('pay-mart', 'Mega Mart', NULL, 0);
-- ALDI SUED was merged into Aldi.
INSERT INTO payee_mapping (id, targetId) VALUES
  ('pay-checking', 'pay-checking'), ('pay-savings', 'pay-savings'), ('pay-start', 'pay-start'),
  ('pay-aldi', 'pay-aldi'), ('pay-aldi-sued', 'pay-aldi'), ('pay-acme', 'pay-acme'),
  ('pay-power', 'pay-power'), ('pay-phone', 'pay-phone'), ('pay-pizza', 'pay-pizza'),
  ('pay-mart', 'pay-mart');

INSERT INTO transactions (id, isParent, isChild, acct, category, amount, description, notes, date,
  starting_balance_flag, transferred_id, sort_order, tombstone, cleared, reconciled, parent_id) VALUES
  ('t-start-checking', 0, 0, 'acc-checking', NULL, 150000, 'pay-start', NULL, 20260101, 1, NULL, 1, 0, 1, 1, NULL),
  ('t-start-savings', 0, 0, 'acc-savings', NULL, 400000, 'pay-start', NULL, 20260101, 1, NULL, 2, 0, 1, 1, NULL),
  ('t-aldi-1', 0, 0, 'acc-checking', 'cat-food', -4210, 'pay-aldi-sued', 'weekly shop', 20260105, 0, NULL, 3, 0, 1, 0, NULL),
  ('t-pizza', 0, 0, 'acc-checking', 'cat-restaurants', -2400, 'pay-pizza', NULL, 20260109, 0, NULL, 4, 0, 0, 0, NULL),
  ('t-phone', 0, 0, 'acc-checking', 'cat-phone', -1999, 'pay-phone', NULL, 20260112, 0, NULL, 5, 0, 1, 0, NULL),
  ('t-salary', 0, 0, 'acc-checking', 'cat-salary', 260000, 'pay-acme', 'January', 20260125, 0, NULL, 6, 0, 1, 1, NULL),
  ('t-save-out', 0, 0, 'acc-checking', NULL, -30000, 'pay-savings', NULL, 20260126, 0, 't-save-in', 7, 0, 1, 0, NULL),
  ('t-save-in', 0, 0, 'acc-savings', NULL, 30000, 'pay-checking', NULL, 20260126, 0, 't-save-out', 8, 0, 1, 0, NULL),
  ('t-mart', 1, 0, 'acc-checking', NULL, -6500, 'pay-mart', 'big shop', 20260128, 0, NULL, 9, 0, 1, 0, NULL),
  ('t-mart-1', 0, 1, 'acc-checking', 'cat-food', -4000, 'pay-mart', 'food', 20260128, 0, NULL, 10, 0, 1, 0, 't-mart'),
  ('t-mart-2', 0, 1, 'acc-checking', 'cat-general', -1500, 'pay-mart', 'batteries', 20260128, 0, NULL, 11, 0, 1, 0, 't-mart'),
  ('t-mart-3', 0, 1, 'acc-checking', NULL, -1000, 'pay-savings', 'round-up', 20260128, 0, 't-mart-in', 12, 0, 1, 0, 't-mart'),
  ('t-mart-in', 0, 0, 'acc-savings', NULL, 1000, 'pay-checking', 'round-up', 20260128, 0, 't-mart-3', 13, 0, 1, 0, NULL),
  ('t-power', 0, 0, 'acc-checking', 'cat-power', -6120, 'pay-power', NULL, 20260203, 0, NULL, 14, 0, 1, 0, NULL),
  ('t-deleted', 0, 0, 'acc-checking', 'cat-food', -99999, 'pay-aldi', 'entered by mistake', 20260204, 0, NULL, 15, 1, 0, 0, NULL);

INSERT INTO zero_budgets (id, month, category, amount, carryover) VALUES
  ('202601-cat-food', 202601, 'cat-food', 40000, 0),
  ('202601-cat-general', 202601, 'cat-general', 5000, 0),
  ('202602-cat-food', 202602, 'cat-food', 42000, 0),
  ('202602-cat-power', 202602, 'cat-power', 6500, 0),
  ('202602-cat-salary', 202602, 'cat-salary', 0, 0);
