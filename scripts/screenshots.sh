#!/bin/sh
# Regenerates docs/screenshots/*.png (lobby and a busy room; light and dark; phone and desktop)
# in headless Chromium, through the ScreenshotsTest browser test.
# Emoji (reactions) need a colour emoji font on the machine: apt-get install fonts-noto-color-emoji.
set -e
cd "$(dirname "$0")/.."
exec ./mvnw -B -q test -Dtest=ScreenshotsTest -Dscreenshots=true -Dsurefire.failIfNoSpecifiedTests=false "$@"
