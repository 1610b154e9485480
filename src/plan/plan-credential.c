/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LoadCredential= and SetCredential= (and their Encrypted variants) in the
 * plan: which IDs the container gets and where each comes from. The values
 * are carried for the start but never printed: the JSON and the text show
 * IDs, sources and whether they are encrypted only. */

#include <stdio.h>
#include <string.h>

#include "json-write.h"
#include "plan-internal.h"

static int credential_set_origin(PlanCredential *e, const CellConfig *c, const CellCredential *from) {
        const char *file = from->file ?: c->path;

        if (file && !(e->file = strdup(file)))
                return -ENOMEM;
        e->line = from->line;
        return 0;
}

static int credential_take_value(PlanCredential *e, const CellConfig *c, const CellCredential *set) {
        const char *file = set->file ?: c->path;

        if (file && !(e->value_file = strdup(file)))
                return -ENOMEM;
        e->value_line = set->line;
        /* One byte more: the copy is NUL-terminated like the config's. */
        e->value = malloc(set->size + 1);
        if (!e->value)
                return -ENOMEM;
        memcpy(e->value, set->value, set->size + 1);
        e->size = set->size;
        e->has_value = true;
        e->value_encrypted = set->encrypted;
        return 0;
}

static bool plan_credential_id_equal(const void *userdata, size_t pos, const void *key) {
        return streq(((const PlanCredential *) userdata)[pos].id, key);
}

/* As systemd 252 starts a service: LoadCredential= first, and a
 * SetCredential= of the same ID only where the load finds nothing. The
 * IDs taken are found through an index, not a walk of all before each. */
int plan_build_credentials(Plan *p, const CellConfig *c) {
        _cleanup_(pos_index_done) PosIndex index = {};
        size_t n = c->n_load_credentials + c->n_set_credentials;

        if (n == 0)
                return 0;
        p->credentials = new0(PlanCredential, n);
        p->credentials_directory = strdup(PLAN_CREDENTIALS_DIRECTORY);
        if (!p->credentials || !p->credentials_directory)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_load_credentials; i++) {
                const CellCredential *l = c->load_credentials + i;
                PlanCredential *e = p->credentials + p->n_credentials++;

                e->id = strdup(l->id);
                e->source = strdup(l->path);
                e->encrypted = l->encrypted;
                if (!e->id || !e->source || credential_set_origin(e, c, l) < 0 ||
                    pos_index_add(&index, pos_index_hash(l->id, strlen(l->id), 0), p->n_credentials - 1) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_set_credentials; i++) {
                const CellCredential *s = c->set_credentials + i;
                uint64_t hash = pos_index_hash(s->id, strlen(s->id), 0);
                PlanCredential *e = NULL;
                size_t j;

                if (pos_index_find(&index, hash, plan_credential_id_equal, p->credentials, s->id, &j) > 0)
                        e = p->credentials + j;
                if (!e) {
                        e = p->credentials + p->n_credentials++;
                        e->id = strdup(s->id);
                        if (!e->id || credential_set_origin(e, c, s) < 0 ||
                            pos_index_add(&index, hash, p->n_credentials - 1) < 0)
                                return -ENOMEM;
                }
                if (credential_take_value(e, c, s) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static void erase_free(char *data, size_t size) {
        if (data)
                explicit_bzero(data, size);
        free(data);
}

void plan_credential_data_erase(Plan *p) {
        for (size_t i = 0; i < p->n_credential_data; i++) {
                free(p->credential_data[i].id);
                erase_free(p->credential_data[i].data, p->credential_data[i].size);
        }
        p->credential_data = mfree(p->credential_data);
        p->n_credential_data = 0;
}

void plan_credentials_forget(Plan *p) {
        plan_credential_data_erase(p);
        for (size_t i = 0; i < p->n_credentials; i++) {
                erase_free(p->credentials[i].value, p->credentials[i].size);
                p->credentials[i].value = NULL;
                p->credentials[i].size = 0;
        }
}

void plan_credentials_done(Plan *p) {
        plan_credentials_forget(p);
        for (size_t i = 0; i < p->n_credentials; i++) {
                free(p->credentials[i].id);
                free(p->credentials[i].source);
                free(p->credentials[i].file);
                free(p->credentials[i].value_file);
        }
        p->credentials = mfree(p->credentials);
        p->n_credentials = 0;
        p->credentials_directory = mfree(p->credentials_directory);
}

void plan_credentials_json(JsonWriter *w, const Plan *p) {
        json_key(w, "credentials");
        json_array_begin(w);
        for (size_t i = 0; i < p->n_credentials; i++) {
                json_object_begin_inline(w);
                json_key(w, "id");
                json_string(w, p->credentials[i].id);
                json_key(w, "load");
                json_string(w, p->credentials[i].source);
                json_key(w, "set");
                json_bool(w, p->credentials[i].has_value);
                json_key(w, "load_encrypted");
                json_bool(w, p->credentials[i].encrypted);
                json_key(w, "set_encrypted");
                json_bool(w, p->credentials[i].value_encrypted);
                json_object_end(w);
        }
        json_array_end(w);
        json_key(w, "credentials_directory");
        json_string(w, p->credentials_directory);
}

void plan_credentials_text(const Plan *p, FILE *f) {
        for (size_t i = 0; i < p->n_credentials; i++) {
                const PlanCredential *e = p->credentials + i;

                fprintf(f, "%-18s %s", "Credential:", e->id);
                /* A name is looked for in the stores too (spawn/credentials.h), the
                 * encrypted ones first: an admin who keeps it in /etc/credstore, with
                 * no $CREDENTIALS_DIRECTORY at all, reads where it comes from. */
                if (e->source && e->source[0] != '/')
                        fprintf(f, " from %s$CREDENTIALS_DIRECTORY/%s or a credential store%s",
                                e->encrypted ? "an encrypted credential store, " : "", e->source,
                                e->encrypted ? " (encrypted)" : "");
                else if (e->source)
                        fprintf(f, " from %s%s", e->source, e->encrypted ? " (encrypted)" : "");
                if (e->has_value)
                        fprintf(f, "%s%s", e->source ? ", else SetCredential" : " from SetCredential",
                                e->value_encrypted ? "Encrypted=" : "=");
                fputc('\n', f);
        }
        if (p->credentials_directory)
                fprintf(f, "%-18s %s\n", "Credentials in:", p->credentials_directory);
}
