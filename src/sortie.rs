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

mod publication;
pub use publication::{ecrire_dans_dossier, ecrire_ensemble};
use publication::{preparer, RIEN_ECRIT};

#[cfg(test)]
mod tests;
