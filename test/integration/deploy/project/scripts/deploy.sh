#!/bin/sh
# A deploy script as a project would have one: it proves what the deploy job was given.
set -eu
printf 'environment=%s\ndeployment=%s\ntoken_length=%s\nother=%s\n' \
  "$PYLOT_ENVIRONMENT" "$PYLOT_DEPLOYMENT_ID" "${#SECRET_TOKEN}" "${PROD_ONLY:-unset}" \
  > "$OUT_DIR/deployed.txt"
echo "deploying $PYLOT_SHA to $PYLOT_ENVIRONMENT with token $SECRET_TOKEN"
if [ "${FAIL:-no}" = yes ]; then
  echo "the target refused the release" >&2
  exit 3
fi
