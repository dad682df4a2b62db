"""Shared by the Python checks of scripts/test-html.sh, scripts/test-projection-html.sh,
scripts/test-xlsx-libreoffice.sh and scripts/test-projection-xlsx-libreoffice.sh."""
import csv
from html.parser import HTMLParser


def cents(s):
    """« -1234.5 » (CSV rfc4180 of bonus-ctg) → centimes, exactly."""
    s = s.strip()
    neg = s.startswith("-")
    e, _, d = s.lstrip("-").partition(".")
    v = int(e) * 100 + int((d + "00")[:2])
    return -v if neg else v


def texte_cents(t):
    # « 1 234,56 € » (espaces fines insécables) → centimes
    t = t.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
    return cents(t.replace(",", "."))


def cents_libreoffice(s):
    # LibreOffice exports the unformatted value: 1234.5, 0.00000000016…, 1.2E-10
    return round(float(s) * 100) if s.strip() else None


def feuille(tmp, n):
    """Sheet n of the workbook exported by LibreOffice (recalculer_libreoffice)."""
    return list(csv.reader(open(f"{tmp}/classeur-{n}.csv", encoding="utf-8")))


class LecteurTableaux(HTMLParser):
    """Counts <script> elements and external resources, and reads the rows of every table:
    lignes[table id] = [(attrs of tr, [(attrs of td, text)])]. The text of a cell is what
    garder_texte() lets through."""

    def __init__(self):
        super().__init__()
        self.table = None
        self.lignes = {}
        self.ligne = None
        self.cellule = None
        self.scripts = 0
        self.externes = []

    def garder_texte(self):
        return True

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for k in ("src", "href"):
            v = a.get(k, "")
            if v and not v.startswith("#"):
                self.externes.append(v)
        if tag == "table":
            self.table = a.get("id")
            self.lignes.setdefault(self.table, [])
        elif tag == "tr" and self.table:
            self.ligne = (a, [])
        elif tag == "td" and self.ligne is not None:
            self.cellule = (a, [])
        else:
            self.autre_debut(tag, a)

    def autre_debut(self, tag, a):
        pass

    def handle_endtag(self, tag):
        if tag == "td" and self.cellule is not None:
            a, t = self.cellule
            self.ligne[1].append((a, "".join(t)))
            self.cellule = None
        elif tag == "tr" and self.ligne is not None:
            self.lignes[self.table].append(self.ligne)
            self.ligne = None
        elif tag == "table":
            self.table = None
        else:
            self.autre_fin(tag)

    def autre_fin(self, tag):
        pass

    def handle_data(self, d):
        if self.cellule is not None and self.garder_texte():
            self.cellule[1].append(d)
