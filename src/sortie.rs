//! Outputs whole or absent.
//!
//! - A file output is written to a temporary file in the target folder (`.NOM.PID.tmp`),
//!   synced, then renamed over the target: a failed or killed run never leaves a truncated
//!   output. Only a regular file is ever replaced (never a folder, a named pipe, a device, a
//!   socket or a symbolic link), only with `--ecraser`, keeping its permissions, and never
//!   when it is one of the files read (same device and inode).
//! - A temporary file left by a killed run is removed by the next write of the same output
//!   (its process no longer exists).
//! - The standard output is written by the command line (`cli::commun::afficher`): a closed
//!   pipe is a quiet stop, any other error exit code 1.

use crate::diagnostic::texte_io;
use crate::diagnostic::Code;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Standard output not written (disk full, …).
pub const E_SORTIE_STANDARD: Code = Code::E080;
/// The target is not a regular file (folder, named pipe, device, socket, symbolic link).
pub const E_PAS_UN_FICHIER: Code = Code::E081;
/// The target is one of the files read.
pub const E_FICHIER_LU: Code = Code::E082;
/// The target exists and `--ecraser` was not given (or is not an output of this tool).
pub const E_EXISTE: Code = Code::E083;
/// The operating system refused the write.
pub const E_ECRITURE: Code = Code::E084;
/// `lot`: the output folder is inside (or contains) the dossiers read.
pub const E_SORTIE_DANS_ENTREE: Code = Code::E085;
/// `generer`: a symbolic link on the way.
pub const E_LIEN: Code = Code::E086;

/// Why a write was refused or failed: a code of `docs/erreurs.md` and a French message
/// naming the path. Displayed as `erreur E08x : chemin : message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurEcriture {
    pub code: Code,
    pub message: String,
}

impl ErreurEcriture {
    pub fn new(code: Code, chemin: &Path, message: impl fmt::Display) -> Self {
        ErreurEcriture {
            code,
            message: format!("{} : {message}", chemin.display()),
        }
    }
    /// An operating-system error on `chemin` (E084), in French.
    pub fn io(chemin: &Path, quoi: &str, e: &io::Error) -> Self {
        ErreurEcriture::new(E_ECRITURE, chemin, format!("{quoi} : {}", texte_io(e)))
    }
}

impl fmt::Display for ErreurEcriture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "erreur {} : {}", self.code, self.message)
    }
}

/// What a path is, in French (« un dossier », « un tube nommé (FIFO) », « un fichier »…).
pub fn genre(m: &Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_file() {
        return "un fichier";
    }
    if t.is_symlink() {
        return "un lien symbolique";
    }
    if t.is_dir() {
        return "un dossier";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "un tube nommé (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "un périphérique";
        }
        if t.is_socket() {
            return "une socket";
        }
    }
    "un fichier spécial"
}

/// The entry itself (a symbolic link is not followed); `None` when absent.
fn entree(chemin: &Path) -> Result<Option<Metadata>, ErreurEcriture> {
    match fs::symlink_metadata(chemin) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ErreurEcriture::io(chemin, "accès impossible", &e)),
    }
}

/// Whether `a` and `b` are the same file (device and inode; a link is followed).
pub fn meme_fichier(a: &Metadata, b: &Path) -> bool {
    let Ok(mb) = fs::metadata(b) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == mb.dev() && a.ino() == mb.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, mb);
        false
    }
}

/// Checks an output file before anything is computed: absent, or a regular file that is
/// not one of `entrees` (the files read) and may be replaced (`ecraser`). Returns the
/// target's metadata when it exists.
pub fn verifier_cible(
    chemin: &Path,
    ecraser: bool,
    entrees: &[PathBuf],
) -> Result<Option<Metadata>, ErreurEcriture> {
    let Some(m) = entree(chemin)? else {
        return Ok(None);
    };
    if !m.file_type().is_file() {
        return Err(ErreurEcriture::new(
            E_PAS_UN_FICHIER,
            chemin,
            format!(
                "c'est {} : seul un fichier ordinaire peut être remplacé par une sortie ; rien n'a été écrit",
                genre(&m)
            ),
        ));
    }
    if let Some(e) = entrees.iter().find(|e| meme_fichier(&m, e)) {
        return Err(ErreurEcriture::new(
            E_FICHIER_LU,
            chemin,
            if e == chemin {
                "c'est un des fichiers lus : choisissez un autre fichier de sortie".to_string()
            } else {
                format!(
                    "c'est un des fichiers lus ({}) : choisissez un autre fichier de sortie",
                    e.display()
                )
            },
        ));
    }
    if !ecraser {
        return Err(ErreurEcriture::new(
            E_EXISTE,
            chemin,
            "existe déjà : ajoutez --ecraser pour le remplacer",
        ));
    }
    Ok(Some(m))
}

/// Checks an output folder named on the command line (`lot --sortie`, `notifier --sortie`,
/// `exporter --vers`) before anything is written: absent, or a real folder. A symbolic link
/// is never followed, even towards a folder, and even written with a final `/` (which would
/// make the system follow it): refused like anything else than a folder (E081), with
/// `usage` saying what the folder is for (« le résultat d'un lot est un dossier »). Returns
/// whether the folder exists.
pub fn verifier_dossier_cible(dossier: &Path, usage: &str) -> Result<bool, ErreurEcriture> {
    // `lien/` and `lien/.` name what the link points to: the entry itself is `lien`
    let sans_barre: PathBuf = dossier.components().collect();
    let Some(m) = entree(&sans_barre)? else {
        return Ok(false);
    };
    if m.is_dir() {
        return Ok(true);
    }
    Err(ErreurEcriture::new(
        E_PAS_UN_FICHIER,
        dossier,
        format!(
            "c'est {} : {usage}{}",
            genre(&m),
            if m.file_type().is_symlink() {
                " (un lien symbolique n'est pas suivi)"
            } else {
                ""
            }
        ),
    ))
}

/// The folder holding `chemin` (`.` for a bare name).
pub fn dossier_de(chemin: &Path) -> PathBuf {
    match chemin.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `.NOM.PID.SUFFIXE`: the temporary sibling of an output named `NOM`.
pub fn nom_temporaire(nom: &OsStr, pid: u32, suffixe: &str) -> OsString {
    let mut t = OsString::from(".");
    t.push(nom);
    t.push(format!(".{pid}.{suffixe}"));
    t
}

/// Whether process `pid` is running (a process of another user counts as running). On a
/// system where this cannot be known, every process is taken as running (nothing removed).
pub fn processus_vivant(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if p <= 0 {
            return true;
        }
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// The bytes of a file name (`None` off Unix for a name that is not valid Unicode).
fn octets_du_nom(n: &OsStr) -> Option<&[u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(n.as_bytes())
    }
    #[cfg(not(unix))]
    {
        n.to_str().map(str::as_bytes)
    }
}

/// The temporary siblings `.NOM.PID.SUFFIXE` of `NOM` in `dossier` whose process `PID` no
/// longer runs (left by a killed run), with their PID.
pub fn temporaires_orphelins(dossier: &Path, nom: &OsStr, suffixe: &str) -> Vec<(PathBuf, u32)> {
    let (Ok(it), Some(nom)) = (fs::read_dir(dossier), octets_du_nom(nom)) else {
        return Vec::new();
    };
    let fin = format!(".{suffixe}");
    let mut r = Vec::new();
    for e in it.flatten() {
        let n = e.file_name();
        let Some(pid) = octets_du_nom(&n)
            .and_then(|n| n.strip_prefix(b"."))
            .and_then(|n| n.strip_prefix(nom))
            .and_then(|n| n.strip_prefix(b"."))
            .and_then(|n| n.strip_suffix(fin.as_bytes()))
            .filter(|x| !x.is_empty() && x.iter().all(u8::is_ascii_digit))
            .and_then(|x| std::str::from_utf8(x).ok()?.parse::<u32>().ok())
        else {
            continue;
        };
        if !processus_vivant(pid) {
            r.push((e.path(), pid));
        }
    }
    r
}

/// Removes the temporary files `.NOM.PID.tmp` left next to `chemin` by killed runs (a
/// folder of that name is left alone).
fn nettoyer_temporaires(dossier: &Path, nom: &OsStr) {
    for (p, _) in temporaires_orphelins(dossier, nom, "tmp") {
        if fs::symlink_metadata(&p).is_ok_and(|m| !m.is_dir()) {
            let _ = fs::remove_file(&p);
        }
    }
}

/// Writes `octets` to `chemin` atomically. Refuses an existing file unless `ecraser`, and
/// anything but a regular file (see [`verifier_cible`]).
pub fn ecrire_atomique(chemin: &Path, octets: &[u8], ecraser: bool) -> Result<(), ErreurEcriture> {
    ecrire_fichier(chemin, octets, ecraser, &[])
}

/// [`ecrire_atomique`], also refusing a target that is one of `entrees` (the files read).
pub fn ecrire_fichier(
    chemin: &Path,
    octets: &[u8],
    ecraser: bool,
    entrees: &[PathBuf],
) -> Result<(), ErreurEcriture> {
    ecrire_fichier_avec(chemin, ecraser, entrees, |w| w.write_all(octets))
}

/// [`ecrire_fichier`] with the content written piece by piece by `ecrire`, through a
/// buffer, into the temporary file: a large output is never held whole in memory. When
/// `ecrire` fails, the temporary file is removed and the target is left as it was.
pub fn ecrire_fichier_avec(
    chemin: &Path,
    ecraser: bool,
    entrees: &[PathBuf],
    ecrire: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<(), ErreurEcriture> {
    let existant = verifier_cible(chemin, ecraser, entrees)?;
    let pret = preparer(chemin, existant.as_ref(), ecrire)?;
    pret.publier(RIEN_ECRIT)
}

/// What the message of a failed write says when no target was touched.
const RIEN_ECRIT: &str = "rien n'a été écrit";

/// A complete and synced temporary file `tmp`, waiting to be put in place at `chemin`.
struct Pret {
    tmp: PathBuf,
    chemin: PathBuf,
    /// The target existed (a regular file, replaced) when it was checked.
    remplace: bool,
}

impl Pret {
    /// Puts the temporary file in place (see [`publier`]); `bilan` ends the message of a
    /// refusal (what was written so far). The temporary file is removed on failure.
    fn publier(self, bilan: &str) -> Result<(), ErreurEcriture> {
        let r = publier(&self.tmp, &self.chemin, self.remplace, bilan);
        match &r {
            Ok(()) => synchroniser_dossier(&dossier_de(&self.chemin)),
            Err(_) => {
                let _ = fs::remove_file(&self.tmp);
            }
        }
        r
    }
    /// Removes the temporary file (the target is left as it was).
    fn abandonner(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

/// Writes the content given by `ecrire` into a new temporary file next to `chemin`
/// (`.NOM.PID.tmp`), with the permissions of the file it will replace (`existant`), and
/// syncs it. On failure nothing is left behind.
fn preparer(
    chemin: &Path,
    existant: Option<&Metadata>,
    ecrire: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<Pret, ErreurEcriture> {
    let Some(nom) = chemin.file_name() else {
        return Err(ErreurEcriture::new(
            E_PAS_UN_FICHIER,
            chemin,
            "ce chemin ne nomme pas un fichier",
        ));
    };
    let dossier = dossier_de(chemin);
    nettoyer_temporaires(&dossier, nom);
    let tmp = dossier.join(nom_temporaire(nom, std::process::id(), "tmp"));
    let resultat = (|| -> Result<(), ErreurEcriture> {
        let io = |quoi: &str| {
            let quoi = quoi.to_string();
            move |e: io::Error| ErreurEcriture::io(chemin, &quoi, &e)
        };
        // a temporary file of ours left from before (or a link planted there) is removed,
        // never written through
        let _ = fs::remove_file(&tmp);
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io("création du fichier temporaire impossible"))?;
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        ecrire(&mut w).map_err(io("écriture impossible"))?;
        let f = w
            .into_inner()
            .map_err(|e| e.into_error())
            .map_err(io("écriture impossible"))?;
        if let Some(m) = existant {
            garder_droits(&f, m);
        }
        f.sync_all().map_err(io("écriture impossible"))?;
        Ok(())
    })();
    match resultat {
        Ok(()) => Ok(Pret {
            tmp,
            chemin: chemin.to_path_buf(),
            remplace: existant.is_some(),
        }),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes several files of one output folder together (`exporter`, `--sortie DOSSIER/`):
/// `ecrire(k, w)` writes the content of `chemins[k]`.
///
/// 1. Every target is checked first, as [`verifier_cible`] does: any refusal comes before
///    anything is written.
/// 2. Every content is written to its temporary file and synced: a failure (disk full, …)
///    removes them all and leaves every target as it was.
/// 3. Every target is checked again (still absent, or still a regular file), then the
///    temporary files are renamed over their targets one after the other. A rename can
///    then only fail when a target changed in the meantime or the system refuses; the
///    message names the files already written and those left as they were.
pub fn ecrire_ensemble(
    chemins: &[PathBuf],
    ecraser: bool,
    entrees: &[PathBuf],
    ecrire: impl FnMut(usize, &mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<(), ErreurEcriture> {
    publier_ensemble(preparer_ensemble(chemins, ecraser, entrees, ecrire)?)
}

/// Steps 1 and 2 of [`ecrire_ensemble`], and the second check of step 3.
fn preparer_ensemble(
    chemins: &[PathBuf],
    ecraser: bool,
    entrees: &[PathBuf],
    mut ecrire: impl FnMut(usize, &mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<Vec<Pret>, ErreurEcriture> {
    let mut existants = Vec::with_capacity(chemins.len());
    for c in chemins {
        existants.push(verifier_cible(c, ecraser, entrees)?);
    }
    let mut prets: Vec<Pret> = Vec::with_capacity(chemins.len());
    for (k, (c, m)) in chemins.iter().zip(&existants).enumerate() {
        match preparer(c, m.as_ref(), |w| ecrire(k, w)) {
            Ok(p) => prets.push(p),
            Err(e) => {
                prets.into_iter().for_each(Pret::abandonner);
                return Err(e);
            }
        }
    }
    if let Some(e) = prets
        .iter()
        .find_map(|p| toujours_remplacable(&p.chemin, p.remplace, RIEN_ECRIT).err())
    {
        prets.into_iter().for_each(Pret::abandonner);
        return Err(e);
    }
    Ok(prets)
}

/// The renames of step 3 of [`ecrire_ensemble`], one after the other; the first failure
/// stops them and removes the temporary files left.
fn publier_ensemble(prets: Vec<Pret>) -> Result<(), ErreurEcriture> {
    let noms: Vec<String> = prets
        .iter()
        .map(|p| {
            p.chemin
                .file_name()
                .unwrap_or(p.chemin.as_os_str())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut restants = prets.into_iter().enumerate();
    while let Some((k, p)) = restants.next() {
        if let Err(e) = p.publier(&bilan(&noms[..k], &noms[k..])) {
            restants.for_each(|(_, p)| p.abandonner());
            return Err(e);
        }
    }
    Ok(())
}

/// What a failure in the middle of [`ecrire_ensemble`] leaves: the files `ecrits` are
/// already in place, the files `non_ecrits` were left as they were.
fn bilan(ecrits: &[String], non_ecrits: &[String]) -> String {
    if ecrits.is_empty() {
        return RIEN_ECRIT.to_string();
    }
    let (e, n) = (ecrits.len() > 1, non_ecrits.len() > 1);
    format!(
        "{} : {} ; {} : {}",
        if e { "déjà écrits" } else { "déjà écrit" },
        ecrits.join(", "),
        if n {
            "non écrits, laissés tels quels"
        } else {
            "non écrit, laissé tel quel"
        },
        non_ecrits.join(", ")
    )
}

/// The target may still be put in place: it was a regular file when checked (`remplace`)
/// and is not something else now, or it was absent and still is. `bilan` ends the message.
fn toujours_remplacable(chemin: &Path, remplace: bool, bilan: &str) -> Result<(), ErreurEcriture> {
    match entree(chemin)? {
        Some(m) if remplace && !m.file_type().is_file() => Err(ErreurEcriture::new(
            E_PAS_UN_FICHIER,
            chemin,
            format!("c'est devenu {} pendant le calcul : {bilan}", genre(&m)),
        )),
        Some(_) if !remplace => Err(apparu(chemin, bilan)),
        _ => Ok(()),
    }
}

/// A target absent when checked that exists now.
fn apparu(chemin: &Path, bilan: &str) -> ErreurEcriture {
    ErreurEcriture::new(
        E_EXISTE,
        chemin,
        format!("apparu pendant le calcul : {bilan} (ajoutez --ecraser pour le remplacer)"),
    )
}

/// Puts the complete temporary file `tmp` in place at `chemin`: over the file that was
/// there (`remplace`: still a regular file?), or as a new name that must still be free.
/// `bilan` ends the message of a failure (what was written so far).
fn publier(tmp: &Path, chemin: &Path, remplace: bool, bilan: &str) -> Result<(), ErreurEcriture> {
    let io = |quoi: &'static str| {
        move |e: io::Error| {
            ErreurEcriture::new(
                E_ECRITURE,
                chemin,
                format!("{quoi} : {} ; {bilan}", texte_io(&e)),
            )
        }
    };
    if remplace {
        // the target may have changed since the check: still a regular file?
        toujours_remplacable(chemin, true, bilan)?;
        return fs::rename(tmp, chemin).map_err(io("remplacement impossible"));
    }
    // no-clobber even if something appeared since the check: a hard link fails on an
    // existing target (rename would replace it); a file system without hard links falls
    // back to rename
    match fs::hard_link(tmp, chemin) {
        Ok(()) => {
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(apparu(chemin, bilan)),
        Err(_) => fs::rename(tmp, chemin).map_err(io("écriture impossible")),
    }
}

/// The replacement keeps the replaced file's permissions (and, when allowed, its owner and
/// group). Best effort: the content is what matters.
fn garder_droits(f: &File, m: &Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(actuel) = f.metadata() {
            if actuel.uid() != m.uid() || actuel.gid() != m.gid() {
                // before chmod: changing the owner clears the set-user-ID bits
                let _ = std::os::unix::fs::fchown(f, Some(m.uid()), Some(m.gid()));
            }
        }
    }
    let _ = f.set_permissions(m.permissions());
}

/// Makes a rename or a new entry of `dossier` durable (best effort).
pub fn synchroniser_dossier(dossier: &Path) {
    if let Ok(d) = File::open(dossier) {
        let _ = d.sync_all();
    }
}

/// Writes a new file (it must not exist) and syncs it: the files of a new folder that will
/// be renamed into place as a whole.
pub fn ecrire_neuf(chemin: &Path, octets: &[u8]) -> Result<(), ErreurEcriture> {
    let io = |e: io::Error| ErreurEcriture::io(chemin, "écriture impossible", &e);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(chemin)
        .map_err(io)?;
    f.write_all(octets).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Writes a new file (it must not exist) without syncing it: the caller syncs a whole set of
/// files at once with [`synchroniser_fichiers`] before putting their folder in place.
pub fn ecrire_neuf_sans_synchro(chemin: &Path, octets: &[u8]) -> Result<(), ErreurEcriture> {
    ecrire_neuf_avec(chemin, |w| w.write_all(octets))
}

/// [`ecrire_neuf_sans_synchro`] with the content written piece by piece by `ecrire`
/// (through a buffer): a large file (the lot's consolidated CSV) is never held whole in
/// memory.
pub fn ecrire_neuf_avec(
    chemin: &Path,
    ecrire: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), ErreurEcriture> {
    let io = |e: io::Error| ErreurEcriture::io(chemin, "écriture impossible", &e);
    let f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(chemin)
        .map_err(io)?;
    let mut w = io::BufWriter::with_capacity(1 << 16, VersLeDisque::new(f));
    ecrire(&mut w).map_err(io)?;
    let mut f = w.into_inner().map_err(|e| io(e.into_error()))?;
    f.lancer();
    Ok(())
}

/// A file being written whose bytes the system is asked to start writing to the disk as
/// they come, every [`VersLeDisque::PAS`] bytes and at the end, without waiting (Linux
/// `sync_file_range(SYNC_FILE_RANGE_WRITE)`): the sync of all the files at the end of a lot
/// ([`synchroniser_fichiers`]) then mostly finds them written, instead of the disk receiving
/// tens of megabytes at once (the syncs of the national set cost about 80 ms of wall time).
/// A hint only: nothing changes if the system ignores it or fails.
struct VersLeDisque {
    f: File,
    ecrits: u64,
    lances: u64,
}

impl VersLeDisque {
    const PAS: u64 = 4 << 20;
    fn new(f: File) -> Self {
        VersLeDisque {
            f,
            ecrits: 0,
            lances: 0,
        }
    }
    /// Starts the write-back of the bytes written since the last call.
    fn lancer(&mut self) {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            let (debut, n) = (self.lances as i64, (self.ecrits - self.lances) as i64);
            // SAFETY: a valid open file descriptor, a range of bytes already written, a
            // documented flag; the call only starts write-back.
            unsafe {
                libc::sync_file_range(self.f.as_raw_fd(), debut, n, libc::SYNC_FILE_RANGE_WRITE);
            }
        }
        self.lances = self.ecrits;
    }
}

impl Write for VersLeDisque {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = self.f.write(b)?;
        self.ecrits += n as u64;
        if self.ecrits - self.lances >= Self::PAS {
            self.lancer();
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.f.flush()
    }
}

/// Syncs files written by [`ecrire_neuf_sans_synchro`], several at a time: the file system
/// commits concurrent syncs together (one journal commit for many files instead of one
/// each, which on a busy disk cost seconds for a lot of a hundred dossiers). The first
/// error, if any.
pub fn synchroniser_fichiers(chemins: &[PathBuf]) -> Result<(), ErreurEcriture> {
    let erreur: std::sync::Mutex<Option<ErreurEcriture>> = std::sync::Mutex::new(None);
    plusieurs_a_la_fois(chemins, 16, |c| {
        let r = fs::OpenOptions::new()
            .write(true)
            .open(c)
            .and_then(|f| f.sync_all());
        match r {
            Ok(()) => true,
            Err(e) => {
                let mut x = erreur.lock().unwrap_or_else(|p| p.into_inner());
                x.get_or_insert_with(|| ErreurEcriture::io(c, "écriture impossible", &e));
                false
            }
        }
    });
    match erreur.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Calls `f` on every element of `elements`, `fils` at a time (each thread takes the next
/// element not yet taken), for system calls that wait on the disk: their waits overlap. A
/// thread stops when `f` returns `false`; the others go on.
pub(crate) fn plusieurs_a_la_fois<T: Sync>(
    elements: &[T],
    fils: usize,
    f: impl Fn(&T) -> bool + Sync,
) {
    let suivant = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..fils.min(elements.len()) {
            s.spawn(|| {
                while let Some(x) =
                    elements.get(suivant.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    if !f(x) {
                        return;
                    }
                }
            });
        }
    });
}

/// Swaps two folders (Linux `renameat2(RENAME_EXCHANGE)`): both names stay valid at every
/// instant. `Err(Unsupported)` where the system or the file system cannot do it.
pub fn echanger(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: two valid NUL-terminated paths, relative to the current folder.
        let r = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::ENOSYS) | Some(libc::EINVAL) => Err(io::ErrorKind::Unsupported.into()),
            _ => Err(e),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Err(io::ErrorKind::Unsupported.into())
    }
}

#[cfg(test)]
mod tests;
