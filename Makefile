# Developer shortcuts. CI runs .ci/run.

IMAGE ?= podimport:latest
CONTAINER ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker)
CONTAINER_FLAGS ?=

.PHONY: image image-test fuzz

# image: the static binary in a FROM scratch container image (Dockerfile),
# built with podman (or docker). Nothing is pulled.
image:
	IMAGE='$(IMAGE)' CONTAINER='$(CONTAINER)' CONTAINER_FLAGS='$(CONTAINER_FLAGS)' scripts/build-image.sh

# image-test: builds the image in a throwaway podman store and runs it
# against a fake Twitter API and a fake memri pod (skipped without podman).
image-test:
	go test -count=1 -run TestContainerImage -v ./cmd/podimport

# fuzz: runs each fuzz target for FUZZTIME (plain `go test` runs only their
# seed corpora, from the recorded fixtures, the tests' queries, generated
# archives and the environment tests' cases).
FUZZTIME ?= 30s
fuzz:
	@set -e; for t in ./plugins/twitter:FuzzMapTweet ./plugins/twitter:FuzzMapUser ./index:FuzzParse ./plugins/twitterarchive:FuzzJSFile ./podrun:FuzzLoadJob ./podrun:FuzzLoadPod; do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg, $(FUZZTIME))"; \
		go test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done
