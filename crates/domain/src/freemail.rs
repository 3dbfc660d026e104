//! Mailbox providers: an address there says nothing about the person's employer, so it never
//! names a company (and research never crawls gmail.com as someone's employer).

/// Whether an address at `domain` (a canonical host or registrable domain, such as
/// `hotmail.co.uk` or `mail.yahoo.co.jp`) is a consumer mailbox: the domain or any parent of it
/// that is on the list.
pub fn is_mailbox_provider(domain: &str) -> bool {
    let mut rest = domain.trim_end_matches('.');
    loop {
        if FREEMAIL.contains(&rest) {
            return true;
        }
        match rest.split_once('.') {
            // Stop before a bare top-level domain: `co.uk` is not a provider.
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

const FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.ru",
    "yandex.com",
    "zoho.com",
    "fastmail.com",
    "hey.com",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "t-online.de",
    "btinternet.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
];

