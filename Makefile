# The two commands of the README: `make demo` and `make test`. Everything else they need is set up here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000

.PHONY: demo test install system-check serve migrate clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) system-check

# WeasyPrint needs Pango from the system; say which packages when it is missing.
system-check: $(STAMP)
	@$(PY) -c "import weasyprint" 2>/dev/null || { \
	  echo "Thiếu thư viện hệ thống cho WeasyPrint (Pango). Cài bằng:"; \
	  echo "  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2"; \
	  echo "(macOS: brew install pango)"; exit 1; }

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo
	@echo "Mở http://$(HOST)/ và đăng nhập bằng một tài khoản ở trên."
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
