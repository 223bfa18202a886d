/* nexus-demo.c — the small data set a new default database starts with
 *
 * Copyright 2026 The Nexus authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A newcomer who starts the console should see leads at once.  These are
 * invented businesses with invented numbers in real number ranges, in Arabic,
 * Latin and mixed scripts, spread over four cities.  They are marked with the
 * provider "demo" so they can be told apart and removed.
 *
 * The rows are normalized by the leads engine's own rules (names,
 * addresses, cities, website hosts, phones through libphonenumber) and each
 * source keeps a LEAD payload, so demo leads behave like real ones in
 * matching, search, merges and splits.
 */

#include "config.h"

#include "leads/nexus-lead.h"
#include "leads/nexus-normalize.h"
#include "leads/nexus-phone.h"
#include "nexus-store-private.h"

typedef struct
{
  const char *name;
  const char *category;
  const char *phone_e164; /* NULL: preview-only */
  const char *website;
  const char *address;
  const char *city;
  const char *country;
  double      lat;
  double      lon;
  const char *status;
  double      rating;
} DemoLead;

/* clang-format off */
static const DemoLead demo_leads[] = {
  { "مطعم الياسمين", "restaurant", "+201001234501", NULL, "شارع التحرير ١٢", "Cairo", "EG", 30.0444, 31.2357, "new", 4.5 },
  { "Koshary El Tahrir", "restaurant", "+20223901234", "koshary-tahrir.example", "19 Tahrir St", "Cairo", "EG", 30.0450, 31.2380, "contacted", 4.7 },
  { "صيدلية النور", "pharmacy", "+201111234502", NULL, "شارع قصر العيني", "Cairo", "EG", 30.0380, 31.2330, "new", 0 },
  { "Zamalek Dental Clinic", "dentist", "+20227351234", "zamalekdental.example", "26 July St", "Cairo", "EG", 30.0626, 31.2197, "qualified", 4.8 },
  { "مخبز Bread & Co", "bakery", "+201221234503", NULL, "Zamalek", "Cairo", "EG", 30.0610, 31.2210, "new", 4.2 },
  { "Nile View Hotel", "hotel", "+20225781234", "nileview.example", "Corniche El Nil", "Cairo", "EG", 30.0490, 31.2290, "won", 4.1 },
  { "ورشة الأمل للسيارات", "car_repair", "+201551234504", NULL, "المعادي", "Cairo", "EG", 29.9602, 31.2569, "new", 0 },
  { "Café Riche", "cafe", "+20223929793", NULL, "17 Talaat Harb", "Cairo", "EG", 30.0493, 31.2405, "lost", 4.4 },
  { "مكتبة الشروق", "books", NULL, NULL, "ميدان طلعت حرب", "Cairo", "EG", 30.0500, 31.2420, "new", 0 },
  { "Heliopolis Fitness", "fitness_centre", "+201061234505", "heliofit.example", "Korba", "Cairo", "EG", 30.0911, 31.3225, "contacted", 4.0 },

  { "مطعم النخيل", "restaurant", "+966501234506", NULL, "طريق الملك فهد", "Riyadh", "SA", 24.7136, 46.6753, "new", 4.3 },
  { "Al Olaya Pharmacy", "pharmacy", "+966112345607", NULL, "Olaya St", "Riyadh", "SA", 24.6950, 46.6850, "qualified", 0 },
  { "صالون لمسة جمال", "hairdresser", "+966551234508", NULL, "حي الملقا", "Riyadh", "SA", 24.8100, 46.6000, "new", 4.9 },
  { "Najd Coffee Roasters", "cafe", "+966531234509", "najdcoffee.example", "Tahlia St", "Riyadh", "SA", 24.6990, 46.6780, "contacted", 4.6 },
  { "مستوصف الرعاية", "clinic", "+966114561234", NULL, "حي العليا", "Riyadh", "SA", 24.6900, 46.6850, "new", 3.9 },
  { "Diriyah Car Rental", "car_rental", "+966541234510", "diriyahcars.example", "King Salman Rd", "Riyadh", "SA", 24.7370, 46.5750, "won", 4.2 },
  { "حلويات سعد الدين", "confectionery", "+966581234511", NULL, "طريق العروبة", "Riyadh", "SA", 24.7020, 46.6700, "new", 4.5 },
  { "مغسلة الأمانة", "laundry", NULL, NULL, "حي النسيم", "Riyadh", "SA", 24.7330, 46.8200, "new", 0 },

  { "Al Fanar Restaurant", "restaurant", "+97142321234", "alfanar.example", "Festival City", "Dubai", "AE", 25.2220, 55.3520, "qualified", 4.4 },
  { "كافيه الشاطئ Beach Café", "cafe", "+971501234512", NULL, "Jumeirah Beach Rd", "Dubai", "AE", 25.2048, 55.2708, "new", 4.1 },
  { "Deira Electronics", "electronics", "+97142251234", NULL, "Al Rigga", "Dubai", "AE", 25.2650, 55.3200, "contacted", 3.8 },
  { "عيادة الابتسامة لطب الأسنان", "dentist", "+971561234513", "smiledxb.example", "Al Barsha", "Dubai", "AE", 25.1130, 55.2000, "new", 4.7 },
  { "Marina Yoga Studio", "fitness_centre", "+971521234514", "marinayoga.example", "Dubai Marina", "Dubai", "AE", 25.0800, 55.1400, "new", 4.9 },
  { "مطبعة الخليج", "copyshop", NULL, NULL, "القوز", "Dubai", "AE", 25.1500, 55.2300, "new", 0 },
  { "Karama Tailors", "tailor", "+971551234515", NULL, "Karama", "Dubai", "AE", 25.2450, 55.3050, "lost", 4.0 },

  { "Le Petit Bistrot", "restaurant", "+33142601234", "petitbistrot.example", "12 rue de Rivoli", "Paris", "FR", 48.8566, 2.3522, "contacted", 4.3 },
  { "Boulangerie Saint-Michel", "bakery", "+33143261234", NULL, "5 bd Saint-Michel", "Paris", "FR", 48.8530, 2.3440, "new", 4.6 },
  { "Pharmacie du Marais", "pharmacy", "+33142721234", NULL, "30 rue des Archives", "Paris", "FR", 48.8590, 2.3570, "new", 0 },
  { "مطعم الأرز Le Cèdre", "restaurant", "+33612345616", "lecedre.example", "9 rue Oberkampf", "Paris", "FR", 48.8650, 2.3700, "qualified", 4.8 },
  { "Atelier Vélo Bastille", "bicycle", "+33143551234", "velobastille.example", "Rue de la Roquette", "Paris", "FR", 48.8550, 2.3730, "new", 4.5 },
  { "Librairie Avicenne", "books", NULL, NULL, "Quartier Latin", "Paris", "FR", 48.8490, 2.3470, "new", 0 },
  { "Hôtel des Arts", "hotel", "+33146061234", "hoteldesarts.example", "Montmartre", "Paris", "FR", 48.8867, 2.3431, "won", 4.2 },
};
/* clang-format on */

static gboolean
insert_agents (NexusStore *self, gint64 now, gint64 *out_first_agent, GError **error)
{
  static const char *const names[] = { "Mona Adel", "خالد العتيبي" };
  sqlite3_stmt            *stmt;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      int rc;

      if (!(stmt = _nexus_store_prepare (
                self, "INSERT INTO agents (name, created_at) VALUES (?, ?)", error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, names[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, now);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          _nexus_store_set_error (self, rc, error, "adding demo agents");
          return FALSE;
        }
      if (i == 0)
        *out_first_agent = sqlite3_last_insert_rowid (_nexus_store_get_db (self));
    }
  return TRUE;
}

/* The record a provider would have sent for this demo lead. */
static char *
demo_payload (const DemoLead *lead, const char *ref)
{
  g_autoptr (NexusLeadInput) input = nexus_lead_input_new ();
  g_autoptr (JsonNode) node = NULL;

  input->provider = g_strdup ("demo");
  input->ref = g_strdup (ref);
  input->name = g_strdup (lead->name);
  if (lead->phone_e164 != NULL)
    g_ptr_array_add (input->phones, g_strdup (lead->phone_e164));
  input->website = g_strdup (lead->website);
  input->address = g_strdup (lead->address);
  input->city = g_strdup (lead->city);
  input->country = g_strdup (lead->country);
  input->has_location = TRUE;
  input->lat = lead->lat;
  input->lon = lead->lon;
  input->category = g_strdup (lead->category);
  input->has_rating = lead->rating > 0;
  input->rating = lead->rating;
  node = nexus_lead_input_to_json (input, NULL);
  return json_to_string (node, FALSE);
}

static gboolean
insert_lead (NexusStore     *self,
             const DemoLead *lead,
             guint           index,
             gint64          now,
             gint64          agent_id,
             GError        **error)
{
  g_autofree char *name_norm = nexus_normalize_name (lead->name);
  g_autofree char *address_norm = nexus_normalize_address (lead->address);
  g_autofree char *city_norm = nexus_normalize_city (lead->city);
  g_autofree char *website_host = nexus_normalize_website_host (lead->website);
  g_autofree char *ref = g_strdup_printf ("demo/%u", index + 1);
  g_autofree char *raw = demo_payload (lead, ref);
  g_autoptr (NexusPhone) phone = NULL;
  sqlite3_stmt *stmt;
  gint64        lead_id;
  /* Spread the demo over the last weeks so dates differ. */
  gint64 seen = now - (gint64)index * 86400 / 2;
  int    rc;

  if (lead->phone_e164 != NULL)
    phone = nexus_phone_parse (lead->phone_e164, lead->country);

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO leads (name, name_norm, phone_e164, phone_raw,"
                               " phone_invalid, website, website_host, address, address_norm, city,"
                               " city_norm, country, lat, lon, category, category_source,"
                               " provider_category, rating, status, preview_only, agent_id,"
                               " first_seen_at, last_seen_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               " ?14, ?15, 'provider', ?15, ?16, ?17, ?18, ?19, ?20, ?20, ?20)",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, lead->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name_norm, -1, SQLITE_STATIC);
  if (phone != NULL && phone->valid)
    sqlite3_bind_text (stmt, 3, phone->e164, -1, SQLITE_STATIC);
  if (phone != NULL && !phone->valid)
    sqlite3_bind_text (stmt, 4, phone->raw, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, phone != NULL && !phone->valid);
  sqlite3_bind_text (stmt, 6, lead->website, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, website_host, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, lead->address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, address_norm, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, lead->city, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, city_norm, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, lead->country, -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 13, lead->lat);
  sqlite3_bind_double (stmt, 14, lead->lon);
  sqlite3_bind_text (stmt, 15, lead->category, -1, SQLITE_STATIC);
  if (lead->rating > 0)
    sqlite3_bind_double (stmt, 16, lead->rating);
  sqlite3_bind_text (stmt, 17, lead->status, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 18, phone == NULL || !phone->valid);
  if (g_strcmp0 (lead->status, "new") != 0 && agent_id > 0)
    sqlite3_bind_int64 (stmt, 19, agent_id);
  sqlite3_bind_int64 (stmt, 20, seen);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "adding demo leads");
      return FALSE;
    }
  lead_id = sqlite3_last_insert_rowid (_nexus_store_get_db (self));

  if (phone != NULL && phone->valid)
    {
      stmt = _nexus_store_prepare (
          self, "INSERT INTO lead_phones (e164, lead_id, type) VALUES (?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, phone->e164, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, lead_id);
      sqlite3_bind_text (stmt, 3, nexus_phone_type_to_string (phone->type), -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          _nexus_store_set_error (self, rc, error, "adding demo leads");
          return FALSE;
        }
    }

  /* A lead that was worked on tells how: assigned, then moved along the
   * pipeline, as the console records it. */
  if (g_strcmp0 (lead->status, "new") != 0)
    {
      g_autofree char *agent = g_strdup_printf ("%" G_GINT64_FORMAT, agent_id);
      const struct
      {
        const char *kind;
        const char *old_value;
        const char *new_value;
        gint64      at;
      } steps[] = {
        { "assign", NULL, agent, seen + 3600 },
        { "status", "new", lead->status, seen + 7200 },
      };

      for (guint i = agent_id > 0 ? 0 : 1; i < G_N_ELEMENTS (steps); i++)
        {
          stmt = _nexus_store_prepare (self,
                                       "INSERT INTO lead_history (lead_id, at, actor, kind,"
                                       " old_value, new_value) VALUES (?, ?, 'demo', ?, ?, ?)",
                                       error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, lead_id);
          sqlite3_bind_int64 (stmt, 2, steps[i].at);
          sqlite3_bind_text (stmt, 3, steps[i].kind, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, steps[i].old_value, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 5, steps[i].new_value, -1, SQLITE_STATIC);
          if (!_nexus_store_step_done (self, stmt, "adding demo leads", error))
            return FALSE;
        }
    }

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO lead_sources (lead_id, provider, ref, raw,"
                               " first_seen_at, last_seen_at) VALUES (?, 'demo', ?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  sqlite3_bind_text (stmt, 2, ref, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, raw, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, seen);
  sqlite3_bind_int64 (stmt, 5, seen);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "adding demo leads");
      return FALSE;
    }
  return TRUE;
}

/**
 * nexus_store_seed_demo:
 *
 * Adds the demo leads and two agents in one transaction, with an audit
 * entry.  Either all of it lands or none.
 */
gboolean
nexus_store_seed_demo (NexusStore *self, GError **error)
{
  gint64        now = g_get_real_time () / G_USEC_PER_SEC;
  gint64        agent_id = 0;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (NEXUS_IS_STORE (self), FALSE);

  if (!_nexus_store_begin (self, error))
    return FALSE;

  if (!insert_agents (self, now, &agent_id, error))
    goto fail;

  for (guint i = 0; i < G_N_ELEMENTS (demo_leads); i++)
    if (!insert_lead (self, &demo_leads[i], i, now, agent_id, error))
      goto fail;

  stmt = _nexus_store_prepare (self,
                               "INSERT INTO audit_log (at, actor, action, details)"
                               " VALUES (?, 'nexus', 'demo.seed', json_object('leads', ?))",
                               error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int (stmt, 2, (int)G_N_ELEMENTS (demo_leads));
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _nexus_store_set_error (self, rc, error, "adding demo leads");
      goto fail;
    }

  return _nexus_store_commit (self, error);

fail:
  _nexus_store_rollback (self);
  return FALSE;
}
