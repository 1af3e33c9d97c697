#!/usr/bin/env python3
"""Checks that each screenshot the metainfo names is a PNG in the repository.

The metainfo points at the file on the project's main branch; this test
makes sure that file exists here, is a real PNG and is large enough to show
(AppStream asks for at least 620 x 350), so a renamed or broken screenshot is
caught before a release.

Usage: check-screenshot.py METAINFO SOURCE_ROOT
"""

import struct
import sys
import xml.etree.ElementTree as ET

PREFIX = "https://raw.githubusercontent.com/openai-glib/openai-glib/main/"


def main():
    metainfo, root = sys.argv[1], sys.argv[2]
    images = [e.text.strip() for e in ET.parse(metainfo).iter("image")]
    if not images:
        sys.exit(f"{metainfo}: no screenshot")
    for url in images:
        if not url.startswith(PREFIX):
            sys.exit(f"{url}: not a file of this repository")
        path = f"{root}/{url[len(PREFIX):]}"
        try:
            with open(path, "rb") as f:
                head = f.read(24)
        except OSError as e:
            sys.exit(f"{url}: {e}")
        if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
            sys.exit(f"{path}: not a PNG")
        width, height = struct.unpack(">II", head[16:24])
        if width < 620 or height < 350:
            sys.exit(f"{path}: {width} x {height}, smaller than 620 x 350")
        print(f"ok {path}: {width} x {height}")


if __name__ == "__main__":
    main()
