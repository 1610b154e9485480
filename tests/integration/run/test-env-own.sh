#!/bin/bash
# Environment= of a variable cell sets itself ($CREDENTIALS_DIRECTORY,
# $container_uuid, $container): where cell sets it, cell's value reaches
# the payload; where it does not (no credential, no MachineID= or
# Register=yes), the unit's value does, as cell.unit(5) says.
. "$(dirname "$0")/lib.sh"

env='Environment=CREDENTIALS_DIRECTORY=/x container_uuid=abc container=mine'
show='Exec=/bin/sh -c "echo $$CREDENTIALS_DIRECTORY $$container_uuid $$container"'

run_cell none "$(unit plain "[Root]" "Directory=$root" "[Exec]" "$env" "$show")"
expect "not set by cell: status" "$status" 0
expect "not set by cell: the unit's values, but \$container" "$(cat "$work/out")" "/x abc cell"

run_cell none "$(unit own "[Root]" "Directory=$root" "[Exec]" "$env" "$show" "SetCredential=c:v" \
        "MachineID=0b6f5a2e6e3c4d6b9c2c740d3ec55d01")"
expect "set by cell: status" "$status" 0
expect "set by cell: cell's values" "$(cat "$work/out")" \
        "/run/host/credentials 0b6f5a2e-6e3c-4d6b-9c2c-740d3ec55d01 cell"
echo "ok: an Environment= of cell's own variables reaches the payload only where cell does not set them"
