"""Words people use for the same thing in product requests: plain words, jargon and brand names.

Each line is one group; a word typed in a search also looks for the others of its group. Kept
small and generic on purpose (tools, formats, common product nouns and verbs), so that it helps
any workspace rather than fitting one set of requests. Single words only: the search is an OR of
words, so "single sign-on" is already covered by "sso" and "saml".
"""

from __future__ import annotations

GROUPS = """
export download extract dump save
import upload ingest load
csv spreadsheet excel xlsx sheets
pdf printable print
delete remove erase purge
edit change modify update rename
create add new make
search find lookup query
filter narrow
sort order reorder
slow sluggish lag laggy latency performance speed loading timeout hangs
crash crashes broken error fails failing failure bug
notification notifications notify alert alerts ping reminder
email mail inbox
slack channel
sso saml okta login signin sign authentication auth
password passwords credentials
mfa 2fa totp authenticator
permission permissions role roles access rbac admin
user users member members people teammate teammates account accounts
team teams group groups workspace organization org
dashboard dashboards overview analytics metrics charts chart graphs graph reporting report reports
invoice invoices billing bill receipt receipts payment payments
subscription plan pricing tier
calendar schedule scheduling meeting meetings
dark night theme
mobile phone ios android iphone app
tablet ipad
offline connectivity
api endpoint endpoints webhook webhooks integration integrations
language translation localization localisation i18n translate
timezone timezones zone
date dates deadline due
attachment attachments file files upload
image images photo photos picture pictures avatar
comment comments reply replies thread discussion
tag tags label labels category categories
template templates preset presets
bulk batch mass multiple many
archive archived hide
duplicate duplicates copy clone
history audit log logs changelog activity
backup backups restore
sync synchronise synchronize mirror
share sharing link public
keyboard shortcut shortcuts hotkey hotkeys
accessibility screenreader contrast a11y
customize customise configure configurable custom personalize
onboarding tutorial walkthrough tour welcome
customer customers client clients
ticket tickets issue issues case cases
task tasks todo todos checklist
project projects initiative
integration integrate integrations connect connector connection
mfa 2fa totp authenticator factor otp
image images png jpg screenshot picture pictures photo photos
chart charts graph graphs plot visualization
review reviews approval approve approver approvals signoff
sort order ordering rank
vote votes upvote upvotes
hide archive mute
remove delete deactivate disable
invite invitation invitations invites
duplicate duplicates merge combine dedupe
week weekly
day daily
month monthly
hour hours time timesheet timesheets
guest guests external contractor contractors freelancer freelancers outsider
readonly viewer viewers
rtl arabic hebrew
doc docs document documents
size big large huge heavy
slow forever ages
kanban board trello
widget widgets tile tiles
walkthrough tour guide guided tutorial
survey poll csat nps feedback
recurring repeat repeating recurrence
markdown formatting bold italic
callback webhook
reject rejected decline declined
follower followers watcher watchers subscriber subscribers
owner ownership transfer
sandbox test testing staging
permalink link url
birthday birthdays anniversary
retention purge cleanup
stock inventory
unsubscribe optout opt
ocr scan scanning
overdue unpaid late chase
expire expires expiry expired timeout logout
""".strip().splitlines()
