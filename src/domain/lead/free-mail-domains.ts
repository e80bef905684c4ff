/**
 * Mailbox providers: their domain says nothing about the lead's company. A
 * business fact shared by company enrichment (no lookup for these) and
 * duplicate detection (no SAME_EMAIL_DOMAIN for these), so it lives in the domain.
 */
const FREE_MAIL_DOMAINS = new Set([
  "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com", "hotmail.com", "hotmail.co.uk",
  "outlook.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com",
  "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "mail.ru", "yandex.com", "yandex.ru", "zoho.com", "qq.com",
  "163.com", "126.com", "fastmail.com", "hey.com", "tutanota.com", "orange.fr", "free.fr", "t-online.de", "libero.it",
]);

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain.toLowerCase());
}
