//! Load bench of the web application (filled in the next commit).
fn main() {}
