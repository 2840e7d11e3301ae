#!/bin/sh
# postinst and postrm of rchost-plugin-users-create-token: the host loads plugins when it
# starts, so a running host is restarted to pick up (or drop) the plugin; a stopped one stays.
set -e
if [ -d /run/systemd/system ]; then
  systemctl try-restart rchost.service >/dev/null 2>&1 || true
fi
exit 0
