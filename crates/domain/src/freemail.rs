//! Mailbox providers: an address there says nothing about the person's employer, so it never
//! names a company (and research never crawls gmail.com as someone's employer).
//!
//! The list is `data/mailbox-providers.txt`, generated from the maintained public list in the
//! npm package `free-email-domains` (MIT; `scripts/refresh-mailbox-providers.sh` refreshes it),
//! plus `data/mailbox-providers-extra.txt`: country variants and ISP mail it lacks.

use std::collections::HashSet;
use std::sync::OnceLock;

const GENERATED: &str = include_str!("../data/mailbox-providers.txt");
const EXTRA: &str = include_str!("../data/mailbox-providers-extra.txt");

/// The set, built on first use. Immutable, so one copy serves every caller.
fn providers() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        GENERATED
            .lines()
            .chain(EXTRA.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether an address at `domain` (a canonical host or registrable domain, such as
/// `hotmail.co.uk` or `mail.yahoo.co.jp`) is a consumer mailbox: the domain or any parent of it
/// that is on the list.
pub fn is_mailbox_provider(domain: &str) -> bool {
    let set = providers();
    let mut rest = domain.trim_end_matches('.');
    loop {
        if set.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            // Stop before a bare top-level domain: `co.uk` is not a provider.
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email_company_domain;

    /// Common consumer mailbox domains across countries: webmail brands and their country
    /// variants, privacy mail, and ISP mail. The goal is at least 95% recognised.
    const COMMON: &str = "gmail.com googlemail.com outlook.com outlook.de outlook.fr outlook.es \
        outlook.it outlook.co.uk outlook.com.br outlook.jp hotmail.com hotmail.co.uk hotmail.fr \
        hotmail.de hotmail.it hotmail.es hotmail.ca hotmail.com.br hotmail.nl hotmail.be live.com \
        live.co.uk live.fr live.de live.nl live.it live.ca live.com.au msn.com yahoo.com \
        yahoo.co.uk yahoo.fr yahoo.de yahoo.it yahoo.es yahoo.ca yahoo.com.br yahoo.co.jp \
        yahoo.co.in yahoo.com.au ymail.com rocketmail.com icloud.com me.com mac.com aol.com aol.de \
        proton.me protonmail.com protonmail.ch pm.me gmx.com gmx.de gmx.net gmx.at gmx.ch web.de \
        mail.com mail.ru inbox.ru list.ru bk.ru yandex.ru yandex.com ya.ru rambler.ru zoho.com \
        zohomail.com fastmail.com fastmail.fm hey.com qq.com 163.com 126.com sina.com naver.com \
        hanmail.net daum.net orange.fr wanadoo.fr free.fr sfr.fr laposte.net libero.it \
        virgilio.it tiscali.it alice.it t-online.de freenet.de arcor.de posteo.de posteo.net \
        mailbox.org tutanota.com tutanota.de tuta.io seznam.cz wp.pl o2.pl onet.pl interia.pl \
        btinternet.com sky.com virginmedia.com ntlworld.com talktalk.net comcast.net verizon.net \
        att.net sbcglobal.net bellsouth.net cox.net charter.net earthlink.net shaw.ca rogers.com \
        sympatico.ca bigpond.com optusnet.com.au xtra.co.nz telenet.be skynet.be ziggo.nl home.nl \
        planet.nl kpnmail.nl bluewin.ch hispeed.ch telia.com ukr.net i.ua abv.bg rediffmail.com \
        uol.com.br bol.com.br terra.com.br";

    #[test]
    fn common_consumer_providers_are_recognised() {
        let common: Vec<&str> = COMMON.split_whitespace().collect();
        let missed: Vec<&&str> = common
            .iter()
            .filter(|d| email_company_domain(&format!("someone@{d}")).is_some())
            .collect();
        println!(
            "{} of {} common consumer providers recognised",
            common.len() - missed.len(),
            common.len()
        );
        assert!(missed.len() * 20 <= common.len(), "missed {missed:?}");
        // The ones the issue names, every one.
        for named in [
            "hotmail.co.uk",
            "outlook.de",
            "live.fr",
            "yahoo.co.jp",
            "mail.ru",
            "pm.me",
            "protonmail.ch",
            "gmx.at",
            "wanadoo.fr",
            "sky.com",
            "posteo.de",
            "tutanota.com",
            "seznam.cz",
            "wp.pl",
            "daum.net",
        ] {
            assert!(!missed.contains(&&named), "{named}");
        }
    }

    #[test]
    fn providers_match_by_subdomain_but_employers_do_not() {
        assert!(is_mailbox_provider("hotmail.co.uk"));
        assert!(is_mailbox_provider("mail.yahoo.co.jp"));
        assert!(!is_mailbox_provider("co.uk"));
        assert!(!is_mailbox_provider("acme.co.uk"));
        for employer in [
            "engines.example",
            "siemens.com",
            "microsoft.com",
            "xn--mller-kva.de",
        ] {
            assert!(
                email_company_domain(&format!("someone@{employer}")).is_some(),
                "{employer}"
            );
        }
    }
}
