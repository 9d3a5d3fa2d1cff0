#!/bin/sh
# Debian postrm: remove what after-install.sh added, keep /etc/visioguichet (configuration, secrets)
# and the kiosk's data directory (undelivered outbox records) unless purging.
set -e
rm -f /etc/udev/rules.d/70-visioguichet.rules /etc/systemd/user/visioguichet-electron.service /etc/systemd/user/visioguichet.service
command -v udevadm >/dev/null && udevadm control --reload || true
if [ "$1" = "purge" ]; then
  rm -rf /etc/visioguichet
fi
exit 0
