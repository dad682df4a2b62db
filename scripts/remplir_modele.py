"""Fills the blank template of `bonus-ctg modele` inside LibreOffice Calc, as a person would,
then saves it as .xlsx through LibreOffice.

    /usr/bin/python3 scripts/remplir_modele.py MODELE.xlsx DOSSIER SORTIE.xlsx [DOSSIER SORTIE.xlsx…]

Each DOSSIER is a folder dossier (convention.toml, structures.csv, charges_n1.csv): its values are
typed into the template's cells one by one through LibreOffice's UNO API — texts as texts,
numbers as numbers, dates as dates in the date-formatted cells — then LibreOffice itself
writes the workbook ("Calc MS Excel 2007 XML"), recalculated, as a user's "Enregistrer".

Needs LibreOffice and its Python bridge (Debian: libreoffice-calc-nogui, python3-uno), run
with the system Python that has `uno` (/usr/bin/python3).
"""

import csv
import datetime
import os
import subprocess
import sys
import tempfile
import time
import tomllib

import uno
from com.sun.star.beans import PropertyValue


def prop(nom, valeur):
    p = PropertyValue()
    p.Name = nom
    p.Value = valeur
    return p


def demarrer(profil):
    tuyau = f"bonusctg{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{profil}",
            f"--accept=pipe,name={tuyau};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolveur = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(120):
        try:
            ctx = resolveur.resolve(
                f"uno:pipe,name={tuyau};urp;StarOffice.ComponentContext"
            )
            return proc, ctx
        except Exception:
            time.sleep(0.5)
    proc.kill()
    sys.exit("LibreOffice ne répond pas")


def serie(d):
    """Spreadsheet serial number of a date (LibreOffice's default null date 1899-12-30)."""
    return (d - datetime.date(1899, 12, 30)).days


def taper(cellule, valeur, nombre=False, date=False):
    if valeur is None or valeur == "":
        return
    if date:
        cellule.setValue(serie(valeur))
    elif nombre:
        # what a person types: the digits, without thousands separators nor « € »
        t = str(valeur).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        cellule.setValue(float(t.replace("€", "").replace(",", ".")))
    else:
        cellule.setString(str(valeur))


NOMBRES = {
    "unites_existantes",
    "unites_nouvelles",
    "unites_employeurs",
    "unites_employeurs_nouvelles",
    "mois_ouverture",
    "contribution_collectivite_n1",
    "bonus_n1",
    "montant",
}


def remplir_table(feuille, chemin):
    """Types a CSV table into a sheet whose first row is the template's header."""
    entete = [feuille.getCellByPosition(c, 0).getString() for c in range(40)]
    with open(chemin, encoding="utf-8-sig", newline="") as f:
        texte = f.read()
    premiere = texte.splitlines()[0]
    delimiteur = ";" if premiere.count(";") >= premiere.count(",") else ","
    lignes = list(csv.DictReader(texte.splitlines(), delimiter=delimiteur))
    for i, l in enumerate(lignes, start=1):
        for nom, valeur in l.items():
            if nom not in entete:
                continue
            taper(feuille.getCellByPosition(entete.index(nom), i), valeur, nom in NOMBRES)
    return len(lignes)


def lignes_bareme(chemin, v, r):
    """(parametre, debut, valeur, reference, statut) of a bareme.toml, as a person copies it:
    one row per dated value, lists written « a ; b »."""
    def texte(x):
        if isinstance(x, list):
            return " ; ".join(str(e) for e in x)
        if isinstance(x, bool):
            return "vrai" if x else "faux"
        return str(x)

    if isinstance(v, dict):
        for k, x in v.items():
            lignes_bareme(f"{chemin}.{k}" if chemin else k, x, r)
    elif isinstance(v, list) and v and all(isinstance(e, dict) and "valeur" in e for e in v):
        for e in v:
            r.append((chemin, e.get("debut"), texte(e["valeur"]), e.get("reference", ""), e.get("statut", "")))
    else:
        r.append((chemin, None, texte(v), "", ""))


def remplir_bareme(feuille, bareme):
    r = []
    lignes_bareme("", bareme, r)
    for i, (p, debut, valeur, reference, statut) in enumerate(r, start=1):
        taper(feuille.getCellByPosition(0, i), p)
        taper(feuille.getCellByPosition(1, i), debut, date=isinstance(debut, datetime.date))
        taper(feuille.getCellByPosition(2, i), valeur)
        taper(feuille.getCellByPosition(3, i), reference)
        taper(feuille.getCellByPosition(4, i), statut)
    return len(r)


def remplir(bureau, modele, dossier, sortie):
    conv = tomllib.load(open(os.path.join(dossier, "convention.toml"), "rb"))
    doc = bureau.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(modele)),
        "_blank",
        0,
        (prop("Hidden", True),),
    )
    feuilles = doc.getSheets()
    c = feuilles.getByName("convention")
    for ligne in range(1, 6):
        champ = c.getCellByPosition(0, ligne).getString()
        if champ in conv:
            v = conv[champ]
            taper(
                c.getCellByPosition(1, ligne),
                v,
                nombre=isinstance(v, int),
                date=isinstance(v, datetime.date),
            )
    # the collectivités table: header on row 9 (index 8)
    entete = [c.getCellByPosition(j, 8).getString() for j in range(5)]
    for i, k in enumerate(conv.get("collectivites", []), start=9):
        for nom, v in k.items():
            j = entete.index(nom)
            if isinstance(v, bool):
                v = "oui" if v else "non"
            taper(c.getCellByPosition(j, i), v, nombre=isinstance(v, int))
    n_s = remplir_table(
        feuilles.getByName("structures"), os.path.join(dossier, "structures.csv")
    )
    n_c = remplir_table(
        feuilles.getByName("charges_n1"), os.path.join(dossier, "charges_n1.csv")
    )
    n_b = 0
    if os.path.exists(os.path.join(dossier, "bareme.toml")):
        n_b = remplir_bareme(
            feuilles.getByName("bareme"),
            tomllib.load(open(os.path.join(dossier, "bareme.toml"), "rb")),
        )
    doc.calculateAll()
    doc.storeToURL(
        uno.systemPathToFileUrl(os.path.abspath(sortie)),
        (prop("FilterName", "Calc MS Excel 2007 XML"),),
    )
    doc.close(True)
    print(
        f"remplir_modele : {dossier} : {n_s} structures, {n_c} charges et {n_b} valeurs du barème saisies dans LibreOffice, enregistré dans {sortie}"
    )


def main():
    modele, paires = sys.argv[1], sys.argv[2:]
    if not paires or len(paires) % 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as profil:
        proc, ctx = demarrer(profil)
        bureau = None
        try:
            bureau = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            for dossier, sortie in zip(paires[::2], paires[1::2]):
                remplir(bureau, modele, dossier, sortie)
        finally:
            try:
                if bureau is not None:
                    bureau.terminate()
            except Exception:
                pass
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
