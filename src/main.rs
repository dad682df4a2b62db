//! `bonus-ctg`: thin binary; all the work is in the library.
fn main() {
    std::process::exit(bonus_ctg::cli::principal());
}
