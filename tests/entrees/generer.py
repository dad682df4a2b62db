#!/usr/bin/env python3
"""Writes the odd and bad input files of tests/entrees/ (stdlib only, deterministic).

Each file derives from the base dossier (tests/entrees/base/) by one change: an encoding,
a dialect, a number writing, or one error. The expected outcome of every case is in
tests/entrees/cas.toml; tests/entrees.rs runs them. The .xlsx cases are written by the
Rust test itself (rust_xlsxwriter), not here.

    python3 tests/entrees/generer.py      # rewrites the files; git diff shows any change
"""
from __future__ import annotations

import os

ICI = os.path.dirname(os.path.abspath(__file__))
FICHIERS = os.path.join(ICI, "fichiers")


def lire(nom: str) -> str:
    with open(os.path.join(ICI, "base", nom), encoding="utf-8") as f:
        return f.read()


S = lire("structures.csv")
C = lire("charges_n1.csv")
V = lire("convention.toml")
S_LIGNES = S.rstrip("\n").split("\n")
C_LIGNES = C.rstrip("\n").split("\n")


def ecrire(nom: str, octets: bytes | str) -> None:
    if isinstance(octets, str):
        octets = octets.encode("utf-8")
    with open(os.path.join(FICHIERS, nom), "wb") as f:
        f.write(octets)


def remplacer_ligne(lignes: list[str], i: int, ancien: str, nouveau: str) -> str:
    """Text with one occurrence replaced on line i (0 = header); fails loudly if absent."""
    lignes = list(lignes)
    assert ancien in lignes[i], (ancien, lignes[i])
    lignes[i] = lignes[i].replace(ancien, nouveau, 1)
    return "\n".join(lignes) + "\n"


def champs(ligne: str) -> list[str]:
    """Fields of a base line (the base has one quoted field holding a ';')."""
    import csv
    import io

    return next(csv.reader(io.StringIO(ligne), delimiter=";"))


def joindre(ch: list[str], d: str) -> str:
    import csv
    import io

    o = io.StringIO()
    csv.writer(o, delimiter=d, lineterminator="").writerow(ch)
    return o.getvalue()


def main() -> None:
    os.makedirs(FICHIERS, exist_ok=True)
    for f in os.listdir(FICHIERS):
        os.remove(os.path.join(FICHIERS, f))

    # ---- encodings -------------------------------------------------------------------
    ecrire("s-utf8-bom.csv", b"\xef\xbb\xbf" + S.encode("utf-8"))
    # Excel « Texte Unicode (*.txt) » : UTF-16LE with BOM, tab-separated, CRLF
    tab = "\r\n".join(joindre(champs(l), "\t") for l in S_LIGNES) + "\r\n"
    ecrire("s-utf16le-tab.csv", b"\xff\xfe" + tab.encode("utf-16-le"))
    ecrire("s-utf16be-bom.csv", b"\xfe\xff" + S.encode("utf-16-be"))
    # Excel « CSV (séparateur : point-virgule) » on Windows: Windows-1252, CRLF
    ecrire("s-windows1252.csv", S.replace("\n", "\r\n").encode("cp1252"))
    # UTF-8 text with one line's accent typed in Windows-1252 (one byte 0xE9)
    ecrire("s-encodages-melanges.csv",
           remplacer_ligne(S_LIGNES, 3, ";Ville de Dugny;", ";Ville de Dugny ÉTÉ;")
           .encode("utf-8").replace("ÉTÉ".encode("utf-8"), "ÉTÉ".encode("cp1252")))
    ecrire("c-windows1252.csv", C.encode("cp1252"))
    # UTF-8 BOM followed by invalid UTF-8 (a Windows-1252 « é »)
    ecrire("s-bom-puis-latin1.csv", b"\xef\xbb\xbf" + S.encode("cp1252"))
    # UTF-16LE BOM with an odd number of bytes (truncated file)
    ecrire("s-utf16-tronque.csv", b"\xff\xfe" + S.encode("utf-16-le")[:-1])

    # ---- dialects --------------------------------------------------------------------
    virg = []
    for i, l in enumerate(S_LIGNES):
        ch = champs(l)
        if i > 0:
            ch = [c.replace(" ", "").replace(",", ".") if c[:1].isdigit() else c for c in ch]
        virg.append(joindre(ch, ","))
    ecrire("s-virgule.csv", "\n".join(virg) + "\n")
    # comma-separated with French decimals, quoted (LibreOffice « , » export)
    virg_fr = []
    for i, l in enumerate(S_LIGNES):
        ch = champs(l)
        virg_fr.append(joindre(ch, ","))
    ecrire("s-virgule-decimales-fr.csv", "\n".join(virg_fr) + "\n")
    ecrire("s-tabulation.csv", "\n".join(joindre(champs(l), "\t") for l in S_LIGNES) + "\n")
    ecrire("s-crlf.csv", S.replace("\n", "\r\n"))
    ecrire("s-cr-mac.csv", S.replace("\n", "\r"))
    # quoted fields: embedded delimiter, embedded line break, doubled quotes
    q = remplacer_ligne(S_LIGNES, 1, "1 rue Guynemer", '"1 rue Guynemer\nBâtiment ""A""; 2e étage"')
    ecrire("s-guillemets-multiligne.csv", q)
    ecrire("s-sans-fin-de-ligne.csv", S.rstrip("\n"))
    vides = "\n\n" + S_LIGNES[0] + "\n" + S_LIGNES[1] + "\n\n" + "\n".join(S_LIGNES[2:]) + "\n;;;;;;;;;;;;;;\n\n"
    ecrire("s-lignes-vides.csv", vides)

    # ---- numbers ---------------------------------------------------------------------
    ecrire("s-espace-insecable.csv", S.replace("0 0", "0\u00a00").replace("5 2", "5\u00a02"))
    ecrire("s-espace-fine-euro.csv",
           "\n".join([S_LIGNES[0]] + [l.replace("0 0", "0\u202f0").replace("5 2", "5\u202f2")
                                      .replace(",00;", ",00 €;") for l in S_LIGNES[1:]]) + "\n")
    ecrire("c-euro-colle.csv", C.replace(" 000,00", "000€").replace("5 200,00", "5200,00 €"))
    ecrire("c-point-milliers.csv", C.replace(" 000,00", ".000,00").replace("5 200,00", "5.200,0"))
    ecrire("c-point-decimal.csv", C.replace(" 000,00", "000.00").replace("5 200,00", "5200"))

    # ---- headers ---------------------------------------------------------------------
    ent = ("ID;Annexe;Type;Nom;Adresse;Gestionnaire;Collectivité;Financement;"
           "Soutien collectivité;Unités existantes;Unités nouvelles;Unités employeurs;"
           "Mois ouverture;Contribution collectivité N1;BONUS N1")
    ecrire("s-entetes-accents.csv", "\n".join([ent] + S_LIGNES[1:]) + "\n")
    # columns in another order, plus an extra column
    ordre = [14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    lignes = []
    for i, l in enumerate(S_LIGNES):
        ch = champs(l)
        lignes.append(joindre([ch[k] for k in ordre] + ["observation" if i == 0 else "vu"], ";"))
    ecrire("s-colonnes-desordre.csv", "\n".join(lignes) + "\n")
    ecrire("c-entetes-majuscules.csv", "\n".join(["Collectivité;Volet;Montant;Libellé"] + C_LIGNES[1:]) + "\n")

    # ---- errors of form --------------------------------------------------------------
    ecrire("s-vide.csv", "\n\n")
    ecrire("s-entete-inconnu.csv", "identifiant|nom|type\nA|B|C\n")
    sans_montant = [";".join(x for k, x in enumerate(l.split(";")) if k != 2) for l in C_LIGNES]
    ecrire("c-colonne-manquante.csv", "\n".join(sans_montant) + "\n")
    ecrire("s-colonne-en-double.csv", remplacer_ligne(S_LIGNES, 0, ";adresse;", ";nom;"))
    ecrire("s-guillemet-non-ferme.csv", remplacer_ligne(S_LIGNES, 4, "Relais petite enfance", '"Relais petite enfance'))

    # ---- errors of value (one each) --------------------------------------------------
    ecrire("s-nom-vide.csv", remplacer_ligne(S_LIGNES, 2, "Crèche L’Arc-en-ciel", ""))
    ecrire("s-nombre-illisible.csv", remplacer_ligne(S_LIGNES, 1, ";60;", ";6O;"))
    ecrire("s-nombre-ambigu.csv", remplacer_ligne(S_LIGNES, 3, "15 000,00", "15.000.00"))
    ecrire("c-montant-negatif.csv", C.replace("12 000,00", "-12 000,00"))
    ecrire("c-trois-decimales.csv", C.replace("5 200,00", "5 200,0050"))
    ecrire("s-unites-trois-decimales.csv", remplacer_ligne(S_LIGNES, 4, ";1,5;", ";1,1250;"))
    ecrire("s-booleen.csv", remplacer_ligne(S_LIGNES, 1, ";oui;", ";peut-être;"))
    ecrire("s-annexe.csv", remplacer_ligne(S_LIGNES, 5, ";2;", ";3;"))
    ecrire("s-type.csv", remplacer_ligne(S_LIGNES, 1, ";EAJE;", ";CRECHE;"))
    ecrire("s-financement.csv", remplacer_ligne(S_LIGNES, 3, ";PSO;", ";CAF;"))
    ecrire("c-volet-invalide.csv", C.replace("DUGNY;RPE;", "DUGNY;R.P.E;"))
    ecrire("s-id-double.csv", remplacer_ligne(S_LIGNES, 5, "ALSH-PERI;", "EAJE-CIGOGNES;"))
    ecrire("s-collectivite-inconnue.csv", remplacer_ligne(S_LIGNES, 4, ";DUGNY;", ";LE-BOURGET;"))
    ecrire("s-employeurs.csv", remplacer_ligne(S_LIGNES, 2, ";30;5;6;", ";30;5;31;"))
    ecrire("s-mois.csv", remplacer_ligne(S_LIGNES, 5, ";12;", ";13;"))
    ecrire("v-exercice.toml", V.replace("exercice = 2025", "exercice = 1850"))
    ecrire("v-tranche.toml", V.replace("tranche = 1", "tranche = 0"))
    ecrire("v-tranche-hors-bareme.toml", V.replace("tranche = 1", "tranche = 9"))
    ecrire("v-toml-invalide.toml", V.replace('caf = "Caf de la Seine-Saint-Denis"', 'caf = "Caf de la Seine-Saint-Denis'))
    ecrire("v-sans-exercice.toml", V.replace("exercice = 2025\n", ""))
    ecrire("b-invalide.toml", "[volets.EAJE]\nplancher = \"beaucoup\"\n")

    # ---- limits ----------------------------------------------------------------------
    ecrire("c-montant-trop-grand.csv", C.replace("45 000,00", "1 000 000 000,01"))
    ecrire("s-unites-trop-grandes.csv", remplacer_ligne(S_LIGNES, 3, ";400;", ";100 000,01;"))
    ecrire("s-id-trop-long.csv", remplacer_ligne(S_LIGNES, 5, "ALSH-PERI;", "ALSH-" + "X" * 200 + ";"))
    ecrire("c-nombre-trop-long.csv", C.replace("45 000,00", "1" * 40))

    # ---- warnings --------------------------------------------------------------------
    ecrire("s-annexe2-sans-volet.csv",
           S + "CS-ARC;2;CENTRE_SOCIAL;Centre social Arc-en-Ciel;2 rue Guynemer;Ville de Dugny;DUGNY;PSO;oui;0;0;0;12;180 000,00;0,00\n")
    ecrire("c-volet-inconnu.csv", C + "DUGNY;JEUNESSE;3 000,00;Action jeunesse\n")
    # the header alone: computed (plancher and forfaits do not need a charge), but said
    ecrire("c-vide.csv", C_LIGNES[0] + "\n")
    # the RPE line pasted twice: counted twice, as written, but said
    ecrire("c-ligne-doublee.csv", C + C_LIGNES[4] + "\n")
    # the RPE loses its units: the RPE charge line has no eligible unit left (W002)
    ecrire("s-rpe-sans-unite.csv", remplacer_ligne(S_LIGNES, 4, ";1,5;", ";0;"))
    # 230 bad lines: 200 errors shown, the rest counted (E027)
    mauvaises = [S_LIGNES[0]] + [
        f"X{i:03};2;EAJE;Structure {i};;Gestion;DUGNY;PSU;oui;dix;0;0;12;0;0" for i in range(230)
    ]
    ecrire("s-230-erreurs.csv", "\n".join(mauvaises) + "\n")
    # 230 unknown volets: 200 warnings shown, the rest counted (W006)
    ecrire("c-230-avertissements.csv",
           C + "".join(f"DUGNY;LOCAL{i};1,00;action {i}\n" for i in range(230)))

    lecture_v2()


def lecture_v2() -> None:
    """Files of the « lecture v2 » section of cas.toml: headers, records, numbers, ids, TOML."""
    # ---- headers: misspelt, alias, close French label ----------------------------------
    ecrire("s-entete-faute.csv",
           remplacer_ligne(S_LIGNES, 0, ";unites_existantes;", ";unites_existante;"))
    ecrire("s-entete-libelle-excel.csv",
           remplacer_ligne(S_LIGNES, 0, ";contribution_collectivite_n1;", ";Contribution collectivité N-1;"))
    ecrire("s-entete-libelle-proche.csv",
           remplacer_ligne(S_LIGNES, 0, ";unites_existantes;", ";Places existantes;"))
    ecrire("c-entete-faute.csv", remplacer_ligne(C_LIGNES, 0, ";libelle", ";libele"))
    # ---- records: short, long, stray quotes --------------------------------------------
    ecrire("s-ligne-courte.csv", remplacer_ligne(S_LIGNES, 2, ";24 000,00;38 000,00", ";24 000,00"))
    ecrire("s-ligne-longue.csv", remplacer_ligne(S_LIGNES, 5, ";45 000,00", ";45 000,00;"))
    # a quote opening the nom of line 2 is closed by the one opening line 4's address:
    # lines 2 to 4 would become one record
    ecrire("s-guillemet-absorbe.csv",
           remplacer_ligne(S_LIGNES, 1, ";Multi-accueil", ';"Multi-accueil'))
    # a quote opening the nom of line 4 is closed by the one opening its address: text
    # follows the closing quote, and the fields shift
    ecrire("s-guillemet-texte-apres.csv",
           remplacer_ligne(S_LIGNES, 3, ";Laep du Pont", ';"Laep du Pont'))
    # a quote opening unites_existantes of line 2 (a number column) spans lines
    ecrire("s-guillemet-nombre.csv", remplacer_ligne(S_LIGNES, 1, ";60;", ';"60;'))
    # a quote in the header would swallow the first records
    ecrire("s-guillemet-entete.csv", remplacer_ligne(S_LIGNES, 0, ";adresse;", ';"adresse;'))
    # ---- numbers -----------------------------------------------------------------------
    ecrire("c-montant-ambigu.csv", C.replace("45 000,00", "45.000"))
    ecrire("c-decimales-ecrites.csv", C.replace("12 000,00", "12 000,0000"))
    # ---- ids ---------------------------------------------------------------------------
    ecrire("s-id-casse.csv", remplacer_ligne(S_LIGNES, 2, "EAJE-ARC;", "eaje-cigognes;"))
    nfc = remplacer_ligne(S_LIGNES, 1, "EAJE-CIGOGNES;", "EAJE-CRÈCHE;")
    ecrire("s-id-nfc.csv", remplacer_ligne(nfc.rstrip("\n").split("\n"), 2, "EAJE-ARC;", "EAJE-CRE\u0300CHE;"))
    ecrire("s-id-invisible.csv", remplacer_ligne(S_LIGNES, 3, ";DUGNY;", ";DUG\u200bNY;"))
    # ---- free texts: a control character (an escape sequence in a gestionnaire's name) ---
    ecrire("s-texte-controle.csv",
           remplacer_ligne(S_LIGNES, 4, ";Ville de Dugny;", ";Ville de Dugny\x1b[2J;"))
    ecrire("s-collectivite-casse.csv", remplacer_ligne(S_LIGNES, 1, ";DUGNY;", ";dugny;"))
    # ---- headers: a name cleared (its values kept), names in other Unicode forms ----------
    ecrire("s-entete-vide.csv", remplacer_ligne(S_LIGNES, 0, ";bonus_n1", "; "))
    ecrire("s-entete-formes-unicode.csv",
           remplacer_ligne(S_LIGNES, 0, ";collectivite;", ";collectivite\u0301;")
           .replace("bonus_n1", "\uff42\uff4f\uff4e\uff55\uff53_n1", 1))
    ecrire("c-collectivite-casse.csv", C.replace("DUGNY;RPE;", "Dugny;RPE;"))
    ecrire("v-id-double-casse.toml",
           V + '\n[[collectivites]]\nid = "Dugny"\nnom = "Dugny encore"\ntranche = 1\n')
    # ---- TOML keys ---------------------------------------------------------------------
    ecrire("v-cle-inconnue.toml", V.replace("tranche = 1", "tranche = 1\nsignatair = false"))
    ecrire("v-population.toml", V.replace("tranche = 1", "tranche = 1\npopulation = 11000"))
    ecrire("v-population-negative.toml", V.replace("tranche = 1", "tranche = 1\npopulation = -5"))
    ecrire("v-cle-racine.toml", V.replace("caf =", "cfa ="))
    ecrire("b-cle-inconnue.toml",
           "[[volets.EAJE.planchr]]\ndebut = 2025-01-01\nvaleur = \"1000\"\nreference = \"essai\"\n")
    # ---- ids: invisible characters (Unicode properties), spaces compared as one ----------
    # a copy of LAEP-PONT whose id ends with U+2063 (invisible separator): without E053
    # it would be a second structure, splitting the envelope
    copie = S_LIGNES[3].replace("LAEP-PONT;", "LAEP-PONT\u2063;", 1)
    ecrire("s-id-invisible-2063.csv", S + copie + "\n")
    ecrire("s-id-selecteur-variante.csv",
           remplacer_ligne(S_LIGNES, 4, "RPE-GUYNEMER;", "RPE-GUYNEMER\ufe0f;"))
    # `CRECHE CIGOGNES` and `CRECHE<NBSP>CIGOGNES`: one id, a duplicate
    nbsp = remplacer_ligne(S_LIGNES, 1, "EAJE-CIGOGNES;", "CRECHE CIGOGNES;")
    ecrire("s-id-espace-insecable.csv",
           remplacer_ligne(nbsp.rstrip("\n").split("\n"), 2, "EAJE-ARC;", "CRECHE\u00a0CIGOGNES;"))
    # ---- codes: ASCII letters only (dotless ı, long ſ are not I and S) -----------------
    ecrire("s-type-i-sans-point.csv",
           remplacer_ligne(S_LIGNES, 5, ";ALSH_PERISCOLAIRE;", ";alsh_perıscolaire;"))
    ecrire("c-volet-s-long.csv", C.replace("DUGNY;ALSH;", "DUGNY;alſh;"))
    # ---- volets: a misspelt known volet would leave its envelope unpaid ------------------
    ecrire("c-volet-faute.csv", C.replace("DUGNY;ALSH;", "DUGNY;ASLH;"))
    # ---- numbers: thin space U+2009 groups thousands (README) --------------------------
    ecrire("s-espace-fine.csv", S.replace("240 000,00", "240\u2009000,00"))
    # ---- TOML messages: key, whole value, in French ------------------------------------
    ecrire("v-tranche-decimale.toml", V.replace("tranche = 1", "tranche = 1.0"))
    ecrire("v-tranche-enorme.toml", V.replace("tranche = 1", "tranche = 99999999999999999999"))
    ecrire("v-date-inexistante.toml", V.replace("debut = 2023-01-01", "debut = 2023-02-30"))
    ecrire("v-cle-double.toml", V.replace("exercice = 2025", "exercice = 2025\nexercice = 2026"))
    ecrire("v-exercice-date.toml", V.replace("exercice = 2025", "exercice = 2025-01-01"))
    ecrire("v-fins-de-ligne-cr.toml", V.replace("\n", "\r"))
    ecrire("b-date-inexistante.toml",
           "[[volets.LAEP.plancher]]\ndebut = 2025-02-30\nvaleur = \"20\"\nreference = \"essai\"\nstatut = \"confirme\"\n")
    ecrire("b-volet-accent.toml", "[volets.LUDOTHÈQUE]\ntypes = [\"LUDOTHEQUE\"]\n")
    # ---- barème: every volet named must exist ------------------------------------------
    ecrire("b-volet-inconnu.toml", "[volets.LAPE]\nplancher = \"20\"\n")
    ecrire("b-trajectoire-volet.toml", "[trajectoire]\nvolet = \"XYZ\"\n")
    # ---- memory: one line of 100 000 delimiters ----------------------------------------
    ecrire("s-champs-innombrables.csv", S + ";" * 100_000 + "x\n")


if __name__ == "__main__":
    main()
