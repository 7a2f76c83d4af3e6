"""Checks a generated static site: every relative href and src of every HTML page resolves to a
file of the site (fragments aside). Prints each broken link and exits 1 if there is one."""
import html.parser
import os
import sys
import urllib.parse


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


def main(site):
    broken, pages, checked = [], 0, 0
    for folder, _, files in os.walk(site):
        for name in files:
            if not name.endswith(".html"):
                continue
            pages += 1
            page = os.path.join(folder, name)
            parser = Links()
            with open(page, encoding="utf-8") as text:
                parser.feed(text.read())
            for target in parser.targets:
                parts = urllib.parse.urlsplit(target)
                if parts.scheme or parts.netloc or target.startswith(("#", "mailto:", "javascript:")):
                    continue
                path = urllib.parse.unquote(parts.path)
                if not path:
                    continue
                resolved = os.path.normpath(os.path.join(site if path.startswith("/") else folder, path.lstrip("/")))
                checked += 1
                if not (os.path.isfile(resolved) or os.path.isfile(os.path.join(resolved, "index.html"))):
                    broken.append(f"{os.path.relpath(page, site)}: {target}")
    for line in broken:
        print(f"broken link: {line}")
    print(f"{pages} pages, {checked} relative links checked, {len(broken)} broken")
    return 1 if broken or pages == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
