-- The floor of an inspection run (benchmarks/bench_inspections.py): the same findings, computed and written by
-- one plain INSERT ... SELECT into the same findings table (its indexes, constraints and foreign keys), in one
-- transaction. The benchmark checks that it opens exactly the findings the run opens (rule, subject, period,
-- unit, status) before it prints the figure.
--
-- Written for what the benchmark province holds, and no more: the national checklist only (no local
-- override, so one set of thresholds), the national calendar (one due date for every finding), no findings
-- open before. Rules over tables the benchmark leaves empty (filings, 找错 reports, messages, disclosure posts,
-- findings overdue) are left out: the run asks them too, for a few milliseconds and no rows. Rules the 2024
-- national checklist switches off (weekly, original, notices) are not asked by the run either.
--
-- Parameters: as_of (date), day_end (the first moment after as_of in Asia/Shanghai), scope (a path pattern),
-- inspection, due_on, periods (column_stale's periods by category, JSON), rules (each rule's severity, source
-- and checklist version, JSON), and the thresholds named below.
WITH
scope AS (SELECT id, path, kind FROM organisations_organisation WHERE path LIKE %(scope)s),
periods AS (
    SELECT key AS category, (value ->> 'months')::int AS months, (value ->> 'days')::int AS days
    FROM jsonb_each(%(periods)s::jsonb)
),
rules AS (SELECT * FROM jsonb_to_recordset(%(rules)s::jsonb) AS r(rule text, severity text, source text, version int)),

-- Columns of running sites, opened by as_of, with their newest update by the end of as_of (the stored date
-- when it is not later, else the update records) and the last day their category's period allows.
columns AS (
    SELECT c.id, c.name, c.category, s.id AS site_id, s.name AS site_name,
           COALESCE(c.responsible_id, s.owner_id) AS organisation_id, j.last,
           COALESCE(j.last, c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date) AS judged_from
    FROM sites_column c
    JOIN sites_site s ON s.id = c.site_id AND s.status = 'running'
    JOIN scope o ON o.id = s.owner_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.last_updated_on <= %(as_of)s THEN c.last_updated_on
                    ELSE (SELECT max(u.published_at) FROM sites_columnupdate u
                          WHERE u.column_id = c.id AND u.published_at < %(day_end)s) AT TIME ZONE 'Asia/Shanghai'
               END::date AS last
    ) j
    WHERE c.opened_on IS NULL OR c.opened_on <= %(as_of)s
),
stale_columns AS (
    SELECT c.*
    FROM columns c
    -- The category's own period, else the "other" one.
    CROSS JOIN LATERAL (SELECT * FROM periods p WHERE p.category IN (c.category, 'other')
                        ORDER BY p.category = c.category DESC LIMIT 1) p
    WHERE CASE WHEN p.months IS NOT NULL THEN (c.judged_from + make_interval(months => p.months))::date
               ELSE c.judged_from + p.days END < %(as_of)s
),

-- Accounts running (or under closure notice) on as_of by their status history, with their newest update and
-- password change known on as_of.
accounts AS (
    SELECT a.*, COALESCE(a.opened_on, (a.created_at AT TIME ZONE 'Asia/Shanghai')::date) AS opened,
           CASE WHEN a.last_updated_on <= %(as_of)s THEN a.last_updated_on
                ELSE (SELECT max(u.published_at) FROM accounts_accountupdate u
                      WHERE u.account_id = a.id AND u.published_at < %(day_end)s) AT TIME ZONE 'Asia/Shanghai'
           END::date AS last,
           CASE WHEN EXISTS (SELECT FROM accounts_credentialchange h WHERE h.account_id = a.id)
                THEN (SELECT max(h.changed_on) FROM accounts_credentialchange h
                      WHERE h.account_id = a.id AND h.changed_on <= %(as_of)s)
                WHEN a.password_changed_on <= %(as_of)s THEN a.password_changed_on
           END AS password_then
    FROM accounts_account a
    JOIN scope o ON o.id = a.owner_id
    WHERE (a.opened_on IS NULL OR a.opened_on <= %(as_of)s)
      AND CASE WHEN EXISTS (SELECT FROM accounts_accountstatuschange h WHERE h.account_id = a.id)
               THEN (SELECT h.status FROM accounts_accountstatuschange h
                     WHERE h.account_id = a.id AND h.effective_on <= %(as_of)s
                     ORDER BY h.effective_on DESC, h.id DESC LIMIT 1)
               ELSE a.status END IN ('running', 'closing')
),
live_accounts AS (
    SELECT a.* FROM accounts_account a JOIN scope o ON o.id = a.owner_id
    WHERE a.status IN ('applying', 'running', 'closing')
),

-- Running sites launched by as_of: probes in the window, and the homepage's date (or the newest column's).
sites AS (
    SELECT s.* FROM sites_site s JOIN scope o ON o.id = s.owner_id WHERE s.status = 'running'
),
probe_days AS (
    SELECT p.site_id, (p.checked_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) AS n,
           count(*) FILTER (WHERE NOT p.ok OR p.response_ms > %(timeout_ms)s) AS failed
    FROM sites_probe p JOIN sites s ON s.id = p.site_id
    WHERE p.checked_at >= %(window_start)s AND p.checked_at < %(day_end)s
    GROUP BY 1, 2
),
probes AS (
    SELECT site_id, sum(n) AS total, sum(failed) AS failed, count(*) AS days, min(n) AS fewest
    FROM probe_days GROUP BY site_id
),
homepages AS (
    SELECT s.id, s.name, s.owner_id, s.homepage_is_navigation,
           CASE WHEN s.homepage_updated_on <= %(as_of)s THEN s.homepage_updated_on END AS homepage,
           (SELECT max(CASE WHEN c.last_updated_on <= %(as_of)s THEN c.last_updated_on
                            ELSE (SELECT max(u.published_at) FROM sites_columnupdate u
                                  WHERE u.column_id = c.id AND u.published_at < %(day_end)s) AT TIME ZONE 'Asia/Shanghai'
                       END::date)
            FROM sites_column c WHERE c.site_id = s.id) AS columns_last,
           COALESCE(s.launched_on, (s.created_at AT TIME ZONE 'Asia/Shanghai')::date) AS opened
    FROM sites s
    WHERE s.launched_on IS NULL OR s.launched_on <= %(as_of)s
),

hits (rule, subject_type, subject_id, organisation_id, subject_name, period_key, detail) AS (
    SELECT 'column_stale', 'column', id, organisation_id, site_name || ' / ' || name, 'since:' || judged_from,
           jsonb_build_object('site', site_id, 'category', category, 'last_updated_on', last, 'judged_from', judged_from)
    FROM stale_columns WHERE last IS NOT NULL
  UNION ALL
    SELECT 'column_blank', 'column', id, organisation_id, site_name || ' / ' || name, 'since:' || judged_from,
           jsonb_build_object('site', site_id, 'category', category, 'judged_from', judged_from, 'blank', true)
    FROM stale_columns WHERE last IS NULL
  UNION ALL
    SELECT 'site_columns_veto', 'site', site_id, min(site_owner), min(site_name), 'since:' || %(as_of)s::date,
           jsonb_build_object('key_stale', count(*) FILTER (WHERE last IS NOT NULL AND category = ANY (%(key_categories)s)),
                              'any_stale', count(*) FILTER (WHERE last IS NOT NULL), 'blank', count(*) FILTER (WHERE last IS NULL))
    FROM (SELECT sc.*, s.owner_id AS site_owner FROM stale_columns sc JOIN sites_site s ON s.id = sc.site_id) v
    GROUP BY site_id
    HAVING count(*) FILTER (WHERE last IS NOT NULL AND category = ANY (%(key_categories)s)) >= %(key_stale)s
        OR count(*) FILTER (WHERE last IS NOT NULL) >= %(any_stale)s
        OR count(*) FILTER (WHERE last IS NULL) >= %(blank)s
  UNION ALL
    SELECT 'account_stale', 'account', id, owner_id, name, 'since:' || COALESCE(last, opened),
           jsonb_build_object('last_updated_on', last, 'judged_from', COALESCE(last, opened), 'days', %(stale_days)s)
    FROM accounts WHERE COALESCE(last, opened) + %(stale_days)s < %(as_of)s
  UNION ALL
    SELECT 'credential_rotation', 'account', id, owner_id, name, 'since:' || COALESCE(password_then, opened),
           jsonb_build_object('password_changed_on', password_then, 'judged_from', COALESCE(password_then, opened),
                              'days', %(password_days)s)
    FROM accounts
    WHERE COALESCE(password_then, opened) < %(as_of)s - %(password_days)s
       OR (credential_change_due_since <= %(as_of)s
           AND (password_then IS NULL OR password_then < credential_change_due_since))
  UNION ALL
    SELECT 'account_no_interaction', 'account', id, owner_id, name, 'since:' || %(as_of)s::date,
           jsonb_build_object('has_interaction', false)
    FROM accounts WHERE NOT has_interaction
  UNION ALL
    SELECT 'duplicate_platform', 'account', a.id, a.owner_id, a.name, 'since:' || %(as_of)s::date,
           jsonb_build_object('platform', a.platform)
    FROM live_accounts a
    WHERE a.exemption_reason = ''
      AND EXISTS (SELECT FROM accounts_account b
                  WHERE b.owner_id = a.owner_id AND b.platform = a.platform AND b.id <> a.id
                    AND b.status IN ('applying', 'running', 'closing') AND b.exemption_reason = '')
  UNION ALL
    SELECT 'internal_owner', 'account', a.id, a.owner_id, a.name, 'owner:' || a.owner_id,
           jsonb_build_object('owner_kind', o.kind, 'opened_by_individual', a.opened_by_individual)
    FROM live_accounts a JOIN scope o ON o.id = a.owner_id
    WHERE o.kind = 'internal' OR a.opened_by_individual
  UNION ALL
    SELECT 'site_unreachable', 'site', s.id, s.owner_id, s.name, 'since:' || %(as_of)s::date,
           jsonb_build_object('probes', p.total, 'failed', p.failed)
    FROM sites s JOIN probes p ON p.site_id = s.id
    WHERE p.days = %(window_days)s AND p.fewest >= %(min_per_day)s AND p.failed >= %(max_share)s * p.total
  UNION ALL
    SELECT 'homepage_stale', 'site', id, owner_id, name, 'since:' || judged_from,
           jsonb_build_object('homepage_updated_on', homepage, 'newest_column_update', columns_last,
                              'judged_from', judged_from, 'days', %(homepage_days)s)
    FROM (SELECT h.*, CASE WHEN homepage IS NOT NULL AND NOT homepage_is_navigation THEN homepage
                           ELSE COALESCE(greatest(homepage, columns_last), opened) END AS judged_from
          FROM homepages h) v
    WHERE judged_from < %(as_of)s - %(homepage_days)s
  UNION ALL
    -- No consultation channel (the benchmark has no messages, the rule's other half).
    SELECT 'site_interaction_veto', 'site', id, owner_id, name, 'since:' || %(as_of)s::date,
           jsonb_build_object('has_consultation_channel', has_consultation_channel)
    FROM sites WHERE NOT has_consultation_channel
)
INSERT INTO inspections_finding (
    inspection_id, rule, severity, subject_type, subject_id, subject_name, organisation_id, detail, source,
    checklist_version_id, found_on, due_on, status, period_key, created_at, rectification_state)
SELECT %(inspection)s, h.rule, r.severity, h.subject_type, h.subject_id, left(h.subject_name, 300), h.organisation_id,
       h.detail, r.source, r.version, %(as_of)s, %(due_on)s, 'open', h.period_key, now(), ''
FROM hits h JOIN rules r ON r.rule = h.rule
