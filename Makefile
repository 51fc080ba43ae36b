# The two commands of the README: `make demo` and `make test`. Everything else they need is set up here,
# from a fresh clone: a Python 3.11 virtualenv in $(VENV), the project with its dev extras, the system
# libraries of WeasyPrint checked (with the packages to install when they are missing).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
WEASYPRINT_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2
IS_PY311 := import sys; sys.exit(sys.version_info[:2] != (3, 11))

.PHONY: demo test install system-packages system-check serve migrate clean

# (Re)made when pyproject.toml changes; a missing, broken or non-3.11 virtualenv is recreated.
$(STAMP): pyproject.toml
	@if ! $(PY) -c "import pip; $(IS_PY311)" 2>/dev/null; then \
	  if [ -z "$(PYTHON)" ]; then \
	    echo "Không tìm thấy Python 3.11 / Python 3.11 not found."; \
	    echo "  Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv"; \
	    echo "  hoặc / or: make PYTHON=/path/to/python3.11 $(or $(MAKECMDGOALS),install)"; exit 1; \
	  fi; \
	  if ! "$(PYTHON)" -c "$(IS_PY311)" 2>/dev/null; then \
	    echo "Cần Python 3.11 / Python 3.11 required: $(PYTHON) is $$("$(PYTHON)" -V 2>&1)."; \
	    echo "  Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv"; \
	    echo "  hoặc / or: make PYTHON=/path/to/python3.11 $(or $(MAKECMDGOALS),install)"; exit 1; \
	  fi; \
	  echo "Tạo virtualenv $(VENV) với $(PYTHON)"; \
	  rm -rf "$(VENV)"; \
	  "$(PYTHON)" -m venv "$(VENV)" || { rm -rf "$(VENV)"; \
	    echo "Không tạo được virtualenv / cannot create a virtualenv:"; \
	    echo "  Debian/Ubuntu: sudo apt-get install python3.11-venv"; exit 1; }; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: system-packages $(STAMP) system-check

# Debian packages (Pango, fonts, poppler, Chromium): installed when we may, otherwise named.
system-packages:
	@bash .ci/system-packages

# WeasyPrint needs Pango and HarfBuzz from the system: render a one-line PDF, name the packages if it fails.
system-check: $(STAMP)
	@$(PY) -c "from weasyprint import HTML; HTML(string='<p>BHXH</p>').write_pdf()" \
	    >/dev/null 2>$(VENV)/.system-check.log || { \
	  echo "WeasyPrint không chạy được: thiếu thư viện hệ thống (Pango, HarfBuzz)."; \
	  echo "WeasyPrint cannot run: system libraries are missing ($$(tail -n 1 $(VENV)/.system-check.log))."; \
	  echo "Cài bằng / install with:"; \
	  echo "  sudo apt-get install $(WEASYPRINT_APT)"; \
	  echo "(macOS: brew install pango)"; exit 1; }

migrate: install
	$(PY) manage.py migrate --noinput

serve: migrate
	$(PY) manage.py runserver $(HOST)

demo: migrate
	$(PY) manage.py load_demo
	@echo "Mở http://$(HOST)/ và đăng nhập bằng một tài khoản ở trên."
	$(PY) manage.py runserver $(HOST)

# One pytest-xdist worker per core (each with its own test database and cache); PYTEST_WORKERS=0 runs
# the suite in this one process (a debugger, -x, -s).
PYTEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
