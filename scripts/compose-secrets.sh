#!/bin/sh
# Creates ./secrets for docker-compose.yml, one file per secret: a random admin token and Postgres
# password, the DATABASE_URL that uses it, and empty files for the upstream's secrets (an empty
# file means "not set"; write the one your authentication uses). It never overwrites a file, so
# it is safe to run again, and the admin token stays where you can read it: secrets/admin_token.
set -eu
cd "$(dirname "$0")/.."
mkdir -p secrets
# The directory keeps other host users out; the files stay readable by the container's user
# (Compose mounts a secret file with its host owner and mode).
chmod 700 secrets
random() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
create() {
  if [ ! -e "secrets/$1" ]; then
    printf '%s' "$2" > "secrets/$1"
    chmod 644 "secrets/$1"
    echo "created secrets/$1"
  fi
}
create admin_token "$(random)"
create postgres_password "$(random)"
create database_url "postgres://metastudio:$(cat secrets/postgres_password)@postgres:5432/metastudio"
for name in huaweicloud_sdk_sk huaweicloud_sdk_security_token metastudio_auth_token huaweicloud_iam_password; do
  create "$name" ""
done
echo "The admin token (Authorization: Bearer ... for /resync and /admin/queues) is in secrets/admin_token."
