# The two README commands, plus helpers. All set-up happens in scripts/setup.sh.
.PHONY: run test setup dev manifests stop

run:        ## build and run both add-ons inside the local Clockify (PRODUCTION=1: server alone)
	scripts/run.sh

test:       ## every check: fmt, clippy, unit + integration (SQLite and Postgres), Playwright
	scripts/test.sh

setup:      ## install the toolchain (idempotent)
	scripts/setup.sh

dev:        ## hot-reloading development server with the simulator
	scripts/dev.sh

manifests:  ## regenerate manifests/ from the profiles
	cargo run -q -p server -- write-manifests manifests

stop:       ## stop a stack started with --detach
	scripts/stack.sh --stop
