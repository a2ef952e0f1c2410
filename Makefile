# Bus: `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CONFIG ?= Release
PUBLISH := artifacts/publish
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: help up down status restore build run test test-fast test-integration bench migrate clean console-screenshots

help: ## List every target
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

up: ## Start the local stack (RabbitMQ, PostgreSQL, moto S3) on 127.0.0.1, installing packages if root
	@if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then docker compose -f docker/compose.yml up -d rabbitmq postgres minio minio-init; else scripts/stack.sh up; fi

down: ## Stop the local stack servers this project started
	@if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then docker compose -f docker/compose.yml down; else scripts/stack.sh down; fi

status: ## Show which local stack servers answer
	@scripts/stack.sh status

restore: ## Restore NuGet packages (locked mode when CI=true)
	$(DOTNET) restore Bus.sln

build: restore ## Build everything and leave bin/busctl and bin/bus-host
	$(DOTNET) build Bus.sln -c $(CONFIG) --no-restore
	$(DOTNET) publish src/Bus.Host -c $(CONFIG) --no-restore -o $(PUBLISH)/host
	$(DOTNET) publish src/Bus.Cli -c $(CONFIG) --no-restore -o $(PUBLISH)/cli
	@mkdir -p bin
	@printf '#!/bin/sh\n# The local stack runs on its default passwords, which Production refuses: Development unless told otherwise.\nexport DOTNET_ENVIRONMENT="$${DOTNET_ENVIRONMENT:-Development}"\nexec "$$(dirname "$$(readlink -f "$$0")")/../$(PUBLISH)/host/bus-host" "$$@"\n' > bin/bus-host
	@printf '#!/bin/sh\n# The local stack runs on its default passwords, which Production refuses: Development unless told otherwise.\nexport DOTNET_ENVIRONMENT="$${DOTNET_ENVIRONMENT:-Development}"\nexec "$$(dirname "$$(readlink -f "$$0")")/../$(PUBLISH)/cli/busctl" "$$@"\n' > bin/busctl
	@chmod +x bin/bus-host bin/busctl
	@echo "built bin/bus-host and bin/busctl"

migrate: build up ## Apply database migrations (busctl db migrate)
	bin/busctl db migrate

run: build up ## Run the service host, make demo.edu users with API tokens (.local/demo), ingest two sample bags (valid, invalid) through the API, keep the host running
	bin/busctl db migrate
	@scripts/run-demo.sh

test: build up ## Run every test tier (fast, then integration), starting the local stack if needed
	scripts/stack.sh browser
	bin/busctl db migrate
	CONFIG=$(CONFIG) scripts/test.sh fast integration

test-fast: build ## Fast tier only: logic and the MassTransit in-memory harness (no servers)
	CONFIG=$(CONFIG) scripts/test.sh fast

test-integration: build up ## Integration tier only: real RabbitMQ, PostgreSQL and S3 (and chromium for the console's browser tests)
	scripts/stack.sh browser
	bin/busctl db migrate
	CONFIG=$(CONFIG) scripts/test.sh integration

console-screenshots: build up ## Regenerate docs/console/*.png (the web console's main pages) from a live host in a headless chromium
	scripts/stack.sh browser
	bin/busctl db migrate
	BUS_CONSOLE_SCREENSHOTS=$(CURDIR)/docs/console $(DOTNET) test tests/Bus.IntegrationTests -c $(CONFIG) --no-build --filter "FullyQualifiedName~Console.Console_screenshots"

clean: ## Remove build output (not the stack's data)
	rm -rf artifacts bin && $(DOTNET) clean Bus.sln -v q

bench: ## Run every benchmark (figures go to docs/benchmarks.md)
	@for b in $$($(DOTNET) run -c Release --project tests/Bus.Benchmarks 2>&1 | awk 'NR>1{print $$1}'); do $(MAKE) --no-print-directory bench-$$b || exit 1; done

bench-%: build up ## Run one benchmark, e.g. make bench-saga, make bench-ingest-many ARGS="10000 DOTNET_gcServer=0"
	DOTNET_ENVIRONMENT="$${DOTNET_ENVIRONMENT:-Development}" $(DOTNET) run -c Release --project tests/Bus.Benchmarks -- $* $(ARGS)
