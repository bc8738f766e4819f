#!/usr/bin/env python3
"""Generates a realistic, deterministic Lifeboat content folder of any size (benchmark corpus).

    python3 bench/gen-corpus.py OUT_DIR --nodes N [--entries E] [--image-mb M] [--seed S]
    python3 bench/gen-corpus.py OUT_DIR --nodes N --shape chain|fanout|links

- French call-centre procedures: sentences built from a vocabulary of phrases, with accents.
- Diagrams of ~10-60 nodes; answer graphs with 2-4 answers per node, back-links, end points,
  links to other diagrams and other entry points; every callout kind; tables, ordered steps, tips,
  footnotes; variables in text and link destinations with two environments (`primary`, `bcp`).
- PNG images written by hand (zlib, no Pillow), 1-200 KB, "screenshot" layouts with a photo-like area,
  all different; a few shared by many nodes (and by every entry point, from `_shared/`).
- Same arguments, same bytes: everything comes from one seeded random generator.
- `--shape` (issue 22) writes a degenerate corpus instead, to show that the cost stays linear whatever
  the shape: `chain`, one diagram of N nodes, each answering the next; `fanout`, one diagram whose start
  node has N - 1 answers, one to each other node; `links`, one entry point of N one-node diagrams, each
  linking to the next diagram. No images.

Stdlib only (Python 3.11). OUT_DIR is created; it must not exist or be empty.
"""

import argparse
import math
import os
import random
import struct
import sys
import unicodedata
import zlib

ENTRY_NAMES = [
    ("depannage", "Dépannage", "Pannes Internet, TV et téléphone"),
    ("facturation", "Facturation", "Factures, paiements et remboursements"),
    ("demenagement", "Déménagement", "Transfert de ligne et changement d'adresse"),
    ("resiliation", "Résiliation", "Demandes de résiliation et rétention"),
    ("mobile", "Mobile", "Cartes SIM, forfaits et portabilité"),
    ("television", "Télévision", "Décodeurs, chaînes et enregistrements"),
    ("fraude", "Fraude", "Suspicion de fraude et usurpation d'identité"),
    ("recouvrement", "Recouvrement", "Impayés, échéanciers et relances"),
    ("accueil", "Accueil", "Identification et orientation des appels"),
    ("escalade", "Escalade", "Transferts vers le niveau 2 et les experts"),
    ("reclamations", "Réclamations", "Plaintes, gestes commerciaux et médiation"),
    ("fibre", "Fibre", "Raccordement, rendez-vous technicien et éligibilité"),
    ("entreprises", "Entreprises", "Clients professionnels et contrats cadres"),
    ("commandes", "Commandes", "Suivi de commande et livraison d'équipement"),
    ("urgence", "Urgence", "Appels prioritaires et clients vulnérables"),
]

TOPICS = [
    "panne-internet", "box-injoignable", "wifi-lent", "ligne-coupee", "decodeur-bloque", "facture-erronee",
    "prelevement-refuse", "remboursement", "changement-adresse", "transfert-ligne", "carte-sim", "code-puk",
    "portabilite", "forfait", "option-internationale", "identification", "mot-de-passe", "espace-client",
    "rendez-vous-technicien", "raccordement", "eligibilite", "livraison", "retour-materiel", "geste-commercial",
    "plainte", "mediation", "echeancier", "relance", "suspension", "reactivation", "usurpation", "opposition",
    "resiliation-contrat", "retention", "ligne-professionnelle", "contrat-cadre", "client-vulnerable",
    "appel-prioritaire", "messagerie-vocale", "renvoi-appel", "enregistrements", "chaines", "controle-parental",
]

TOPIC_TITLES = {
    t: t.replace("-", " ").capitalize()
    .replace("Decodeur", "Décodeur").replace("Facture erronee", "Facture erronée")
    .replace("Prelevement refuse", "Prélèvement refusé").replace("Eligibilite", "Éligibilité")
    .replace("Mediation", "Médiation").replace("Echeancier", "Échéancier")
    .replace("Reactivation", "Réactivation").replace("Resiliation", "Résiliation")
    .replace("Retention", "Rétention").replace("Geste", "Geste").replace("Telephone", "Téléphone")
    for t in TOPICS
}

IMPERATIVES = [
    "Demandez au client", "Vérifiez avec le client", "Confirmez auprès du client", "Invitez le client",
    "Proposez au client", "Expliquez au client", "Rappelez au client", "Indiquez au client",
    "Précisez au client", "Rassurez le client et demandez-lui",
]
COMPLEMENTS = [
    "de redémarrer sa box en débranchant l'alimentation pendant trente secondes",
    "de vérifier que tous les câbles sont bien branchés à l'arrière de l'équipement",
    "de lire le numéro de série inscrit sous le décodeur",
    "s'il a reçu un courriel de confirmation après sa commande",
    "de patienter quelques minutes pendant la resynchronisation de la ligne",
    "de se munir de sa dernière facture et de son relevé d'identité bancaire",
    "de préciser depuis quand le problème est apparu",
    "si d'autres appareils du foyer rencontrent la même difficulté",
    "de consulter son espace client pour télécharger l'échéancier",
    "de noter la référence du dossier pour tout échange ultérieur",
    "qu'un technicien pourra intervenir sous quarante-huit heures ouvrées",
    "que le remboursement apparaîtra sur son prochain relevé",
    "de ne jamais communiquer son mot de passe par téléphone",
    "de décrire précisément les voyants allumés en façade",
    "s'il a déménagé récemment ou changé de coordonnées bancaires",
]
CHECKS = [
    "Vérifiez l'identité du client avec au moins deux éléments du dossier.",
    "Vérifiez dans le CRM qu'aucun incident collectif n'est en cours sur la zone.",
    "Contrôlez la date du dernier paiement enregistré.",
    "Consultez l'historique des contacts des trente derniers jours.",
    "Assurez-vous que la ligne n'est pas suspendue pour impayé.",
    "Vérifiez que l'adresse d'installation correspond à celle du contrat.",
    "Relevez le statut de la commande dans l'outil de suivi.",
    "Contrôlez l'état de synchronisation de la ligne depuis l'outil de diagnostic.",
    "Vérifiez que le client est bien le titulaire du contrat ou un mandataire déclaré.",
    "Notez l'heure de l'appel et le motif principal dans la fiche de contact.",
]
CONTEXT = [
    "Cette étape évite un déplacement inutile de technicien, facturé à l'entreprise.",
    "La réglementation impose de tracer chaque demande de résiliation, même abandonnée.",
    "Les clients appellent souvent après un orage : les équipements ont pu être endommagés.",
    "Un geste commercial ne peut être proposé qu'une fois par période de douze mois.",
    "Le délai de traitement dépend du prestataire de livraison, pas de notre service.",
    "Cette vérification protège le client contre les tentatives d'usurpation d'identité.",
]
TIPS = [
    "Si le client est pressé, proposez-lui un rappel à l'heure de son choix.",
    "Reformulez la demande du client avant de passer à l'étape suivante.",
    "Le client peut suivre l'avancement de son dossier depuis l'application mobile.",
    "Une box qui clignote en orange est souvent en cours de mise à jour : patientez.",
    "Gardez un ton calme et posé, même si le client s'impatiente.",
]
CAUTIONS = [
    "Ne demandez jamais le code confidentiel de la carte bancaire.",
    "Ne promettez aucun délai de rétablissement sans confirmation du niveau 2.",
    "Ne modifiez pas les coordonnées bancaires sans vérification renforcée.",
    "Ne réinitialisez pas la box à distance pendant une mise à jour.",
]
IMPORTANTS = [
    "Notez le numéro de ticket et la référence de l'équipement.",
    "Notez le nom de l'interlocuteur et l'heure du rappel convenu.",
    "Notez le montant exact contesté et la date de la facture.",
    "Notez le numéro de série du décodeur et le code d'erreur affiché.",
]
WARNINGS = [
    "Attention aux appels frauduleux se faisant passer pour nos services.",
    "Le client peut perdre ses enregistrements si le décodeur est réinitialisé.",
    "Une résiliation pendant la période d'engagement entraîne des frais.",
    "Le transfert de ligne coupe le service pendant quelques heures.",
]
QUESTIONS = [
    "Que constate le client ?", "Quelle est la réponse du client ?", "Quel est le résultat ?",
    "Que se passe-t-il ensuite ?", "Comment réagit le client ?", "Que montre l'outil ?",
]
ANSWERS = [
    "Oui", "Non", "Le client confirme", "Le client ne sait pas", "Tous les voyants sont verts",
    "Aucun voyant allumé", "Le voyant clignote en orange", "Le paiement a été refusé",
    "Le paiement est validé", "Le client souhaite un rappel", "Le problème est résolu",
    "Le problème persiste", "Le client refuse", "Le client accepte la proposition",
    "Le dossier est introuvable", "L'identité est confirmée", "L'identité ne peut pas être vérifiée",
    "Un incident collectif est en cours", "La commande est expédiée", "La commande est bloquée",
    "Le client est titulaire", "Le client est un mandataire", "Le montant est correct",
    "Le montant est contesté", "Le technicien est déjà passé", "Aucun rendez-vous n'est prévu",
]
HEAD_VERBS = [
    "Vérifier", "Contrôler", "Identifier", "Redémarrer", "Diagnostiquer", "Proposer", "Confirmer",
    "Expliquer", "Planifier", "Transférer", "Clôturer", "Relancer", "Analyser", "Rassurer", "Orienter",
]
HEAD_OBJECTS = [
    "l'identité du client", "les voyants de la box", "le dernier paiement", "l'adresse d'installation",
    "la synchronisation de la ligne", "le décodeur", "la carte SIM", "le rendez-vous technicien",
    "le geste commercial", "l'échéancier", "le dossier de réclamation", "la commande", "le forfait",
    "la demande de résiliation", "les coordonnées bancaires", "le signalement de fraude", "l'appel",
    "la messagerie vocale", "le contrôle parental", "le niveau 2", "l'incident collectif",
]
END_TITLES = [
    "Clôturer l'appel", "Appel résolu", "Transfert effectué", "Rappel programmé", "Dossier transmis",
    "Fin de la procédure", "Ticket créé", "Client orienté vers l'agence",
]
ALT_TEXTS = [
    "Capture de l'écran du CRM", "Façade de la box", "Arrière du décodeur", "Écran de l'outil de diagnostic",
    "Exemple de facture", "Fiche client", "Menu de l'application mobile", "Schéma de raccordement",
]

VARIABLES = {
    "primary": {
        "support_phone": "1 800 555-0100",
        "crm_url": "https://crm.example.com",
        "portail_url": "https://portail.example.com",
        "escalade_email": "niveau2@example.com",
        "file_attente": 4101,
        "delai_rappel": "24 h",
    },
    "bcp": {
        "support_phone": "1 800 555-0199",
        "crm_url": "https://crm-secours.example.com",
        "portail_url": "https://portail-secours.example.com",
        "escalade_email": "niveau2-secours@example.com",
        "file_attente": 9101,
        "delai_rappel": "48 h",
    },
}


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def slug(text):
    """Same as src/content/markdown.rs `slug`."""
    out = []
    for c in fold(text):
        if c.isalnum():
            out.append(c)
        elif out and out[-1] != "-":
            out.append("-")
    while out and out[-1] == "-":
        out.pop()
    return "".join(c for c in out if (c.isascii() and c.isalnum()) or c == "-")


# ---------------------------------------------------------------- PNG


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(rng, target_bytes):
    """A screenshot-like RGB PNG: title bar, fields, 'text' lines and a noisy photo area sized so the file
    is about `target_bytes`."""
    photo_px = max(64, int(target_bytes / 1.6))  # quantized noise compresses to ~1.6 bytes per pixel
    pw = max(8, int(math.sqrt(photo_px * rng.uniform(0.6, 1.8))))
    ph = max(8, photo_px // pw)
    width = min(1600, max(pw + 16, rng.choice([64, 160, 320, 480, 640, 800])))
    pw = min(pw, width - 16)
    ph = max(8, photo_px // pw)
    height = ph + rng.randint(16, 120)
    bg = bytes([rng.randint(225, 250)] * 3)
    bar = bytes([rng.randint(0, 80), rng.randint(60, 140), rng.randint(120, 220)])
    ink = bytes([rng.randint(20, 70)] * 3)
    bar_h = rng.randint(4, 14)
    px = rng.randint(4, width - pw - 4) if width - pw - 8 > 0 else 0
    py = bar_h + rng.randint(2, max(2, height - ph - bar_h - 2))
    py = min(py, height - ph)
    mask = bytes([rng.choice([0xF0, 0xE0, 0xF8])]) * 1
    lut = bytes((i & mask[0]) for i in range(256))
    rows = []
    bar_row = b"\x00" + bar * width
    blank = b"\x00" + bg * width
    noise = rng.randbytes(pw * ph * 3).translate(lut)
    for y in range(height):
        if y < bar_h:
            rows.append(bar_row)
        elif py <= y < py + ph:
            off = (y - py) * pw * 3
            seg = noise[off:off + pw * 3]
            rows.append(b"\x00" + bg * px + seg + bg * (width - px - pw))
        elif y % 9 in (3, 4) and width > 40:
            n = rng.randint(2, max(3, (width - 20) // 3))
            rows.append(b"\x00" + bg * 6 + ink * n + bg * (width - 6 - n))
        else:
            rows.append(blank)
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 1))
            + png_chunk(b"IEND", b""))


def make_svg(rng, i):
    color = "#%02x%02x%02x" % (rng.randint(0, 120), rng.randint(60, 160), rng.randint(120, 240))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48">'
            f'<title>Pictogramme {i}</title><circle cx="24" cy="24" r="20" fill="{color}"/>'
            f'<path d="M14 24h20M24 14v20" stroke="#fff" stroke-width="4"/></svg>\n').encode()


def image_sizes(rng, budget):
    """Log-uniform sizes in 1..200 KB until the budget is spent."""
    sizes = []
    total = 0
    while total < budget:
        s = int(math.exp(rng.uniform(math.log(1024), math.log(200 * 1024))))
        s = min(s, budget - total) if budget - total >= 1024 else 1024
        sizes.append(s)
        total += s
    return sizes


# ---------------------------------------------------------------- plan


class Node:
    __slots__ = ("id", "title", "explicit", "answers", "links", "images", "end")

    def __init__(self):
        self.answers = []  # (label, dest)
        self.links = []  # (text, dest) in the body
        self.images = []  # (alt, path relative to the entry folder)
        self.end = False


def plan(args, rng):
    n_entries = args.entries
    names = []
    for i in range(n_entries):
        base = ENTRY_NAMES[i % len(ENTRY_NAMES)]
        k = i // len(ENTRY_NAMES)
        names.append((base[0] + (f"-{k + 1}" if k else ""), base[1] + (f" {k + 1}" if k else ""), base[2]))
    per_entry = [args.nodes // n_entries + (1 if i < args.nodes % n_entries else 0) for i in range(n_entries)]
    entries = []
    for (eid, etitle, edesc), quota in zip(names, per_entry):
        sizes = []
        left = quota
        while left > 0:
            s = rng.randint(10, 60)
            if left - s < 10:
                s = left if left <= 60 or not sizes else left - 10
            sizes.append(min(s, left))
            left -= sizes[-1]
        used = set()
        diagrams = []
        for size in sizes:
            topic = rng.choice(TOPICS)
            did, k = topic, 1
            while did in used:
                k += 1
                did = f"{topic}-{k}"
            used.add(did)
            title = TOPIC_TITLES[topic] + (f" ({k})" if k > 1 else "")
            diagrams.append({"id": did, "title": title, "nodes": make_nodes(rng, size)})
        entries.append({"id": eid, "title": etitle, "description": edesc, "diagrams": diagrams})
    return entries


def make_nodes(rng, n):
    nodes = []
    seen = set()
    for i in range(n):
        node = Node()
        while True:
            title = f"{rng.choice(HEAD_VERBS)} {rng.choice(HEAD_OBJECTS)}"
            if rng.random() < 0.3:
                title += f" — cas {rng.randint(2, 99)}"
            if slug(title) not in seen or rng.random() < 0.5:
                break
        s = slug(title)
        node.explicit = rng.random() < 0.5 or s in seen or not s
        node.id = f"e{i + 1}-{s[:24].rstrip('-')}" if node.explicit else s
        while node.id in seen:
            node.id += "-b"
        seen.add(node.id)
        seen.add(s)
        node.title = title
        nodes.append(node)
    return nodes


def wire(entries, rng):
    """Answers (tree + back-links + other diagrams / entry points) and links in text."""
    for ei, entry in enumerate(entries):
        diagrams = entry["diagrams"]
        for di, d in enumerate(diagrams):
            nodes = d["nodes"]
            n = len(nodes)
            children = [[] for _ in range(n)]
            queue = [0]
            nxt = 1
            while nxt < n:
                p = queue.pop(0) if queue else rng.randrange(nxt)
                for _ in range(min(rng.choice([1, 2, 2, 3, 3, 4]), n - nxt)):
                    children[p].append(nxt)
                    queue.append(nxt)
                    nxt += 1
            for i, node in enumerate(nodes):
                if not children[i]:
                    if i > 0 and rng.random() < 0.6:
                        node.end = True
                        if rng.random() < 0.5:
                            node.title = rng.choice(END_TITLES) + f" — {i + 1}"
                            node.explicit = True  # links already use its id
                        continue
                    targets = [("#" + nodes[0].id, "Recommencer le diagnostic")] if i else []
                else:
                    targets = [("#" + nodes[c].id, None) for c in children[i]]
                want = rng.randint(2, 4)
                tries = 0
                while len(targets) < want and tries < 20:
                    tries += 1
                    r = rng.random()
                    if r < 0.45 and i > 0:
                        j = rng.randrange(i)
                        dest, label = "#" + nodes[j].id, f"Revenir à « {nodes[j].title} »"
                    elif r < 0.65 and i + 1 < n:
                        j = rng.randrange(i + 1, n)
                        dest, label = "#" + nodes[j].id, None
                    elif r < 0.92 and len(diagrams) > 1:
                        od = diagrams[rng.randrange(len(diagrams))]
                        if od is d:
                            continue
                        if rng.random() < 0.5:
                            dest, label = f"{od['id']}.md", f"Passer à la procédure « {od['title']} »"
                        else:
                            on = rng.choice(od["nodes"])
                            dest, label = f"{od['id']}.md#{on.id}", None
                    elif len(entries) > 1:
                        oe = entries[rng.randrange(len(entries))]
                        if oe is entry:
                            continue
                        od = rng.choice(oe["diagrams"])
                        if rng.random() < 0.5:
                            dest, label = f"../{oe['id']}/{od['id']}.md", f"Orienter vers {oe['title']}"
                        else:
                            dest, label = f"../{oe['id']}/{od['id']}.md#{rng.choice(od['nodes']).id}", None
                    else:
                        continue
                    if dest == "#" + node.id or any(t[0] == dest for t in targets):
                        continue
                    targets.append((dest, label))
                labels = rng.sample(ANSWERS, len(targets))
                node.answers = [(lab or labels[k], dest) for k, (dest, lab) in enumerate(targets)]
            # the start diagram leads to every diagram: each diagram links to the next one
            if di + 1 < len(diagrams):
                nx = diagrams[di + 1]
                nodes[0].links.append((f"la procédure « {nx['title']} »", f"{nx['id']}.md"))
            for node in nodes:
                if rng.random() < 0.15:
                    j = rng.randrange(n)
                    if nodes[j] is not node:
                        node.links.append((f"l'étape « {nodes[j].title} »", "#" + nodes[j].id))
                if len(entries) > 1 and rng.random() < 0.03:
                    oe = entries[(ei + 1) % len(entries)]
                    od = rng.choice(oe["diagrams"])
                    node.links.append((f"la procédure {oe['title']} « {od['title']} »",
                                       f"../{oe['id']}/{od['id']}.md#{rng.choice(od['nodes']).id}"))


def place_images(entries, rng, out, image_mb):
    budget = int(image_mb * 1024 * 1024)
    shared_budget = budget // 20 if budget else 0
    per_entry = (budget - shared_budget) // max(1, len(entries))
    os.makedirs(os.path.join(out, "_shared", "images"), exist_ok=True)
    shared = []
    for i, size in enumerate(image_sizes(rng, shared_budget) if shared_budget else []):
        name = f"commun-{i + 1:03d}.png"
        write(os.path.join(out, "_shared", "images", name), make_png(rng, size))
        shared.append("../_shared/images/" + name)
    if budget:
        for i in range(3):
            name = f"picto-{i + 1}.svg"
            write(os.path.join(out, "_shared", "images", name), make_svg(rng, i))
            shared.append("../_shared/images/" + name)
    for entry in entries:
        pool = []
        if per_entry:
            os.makedirs(os.path.join(out, entry["id"], "images"), exist_ok=True)
        for i, size in enumerate(image_sizes(rng, per_entry) if per_entry else []):
            name = f"{rng.choice(['ecran-crm', 'box', 'decodeur', 'facture', 'outil', 'appli'])}-{i + 1:04d}.png"
            write(os.path.join(out, entry["id"], "images", name), make_png(rng, size))
            pool.append("images/" + name)
        nodes = [nd for d in entry["diagrams"] for nd in d["nodes"]]
        unused = list(pool) + list(shared)
        rng.shuffle(unused)
        for node in nodes:
            k = 0 if rng.random() < 0.45 else (1 if rng.random() < 0.8 else 2)
            for _ in range(k):
                if unused:
                    path = unused.pop()
                elif shared and rng.random() < 0.3:
                    path = shared[min(len(shared) - 1, int(len(shared) * rng.random() ** 3))]
                elif pool:
                    path = pool[min(len(pool) - 1, int(len(pool) * rng.random() ** 2))]
                else:
                    continue
                node.images.append((rng.choice(ALT_TEXTS), path))
        i = 0
        while unused and nodes:  # more images than slots: every image is shown somewhere
            nodes[i % len(nodes)].images.append((rng.choice(ALT_TEXTS), unused.pop()))
            i += 1


# ---------------------------------------------------------------- text


def sentence(rng):
    r = rng.random()
    if r < 0.45:
        return f"{rng.choice(IMPERATIVES)} {rng.choice(COMPLEMENTS)}."
    if r < 0.75:
        return rng.choice(CHECKS)
    if r < 0.85:
        return f"En cas de doute, appelez le support au {{{{ support_phone }}}} (file {{{{ file_attente }}}})."
    if r < 0.92:
        return f"Ouvrez la fiche dans [le CRM]({{{{ crm_url }}}}/clients) et vérifiez l'onglet **Contrats**."
    return (f"Le client peut aussi écrire à [{{{{ escalade_email }}}}](mailto:{{{{ escalade_email }}}}) ; "
            f"réponse sous {{{{ delai_rappel }}}}.")


def paragraph(rng, k):
    return " ".join(sentence(rng) for _ in range(k))


def node_text(rng, node, footnote_no):
    parts = []
    explicit = f" {{#{node.id}}}" if node.explicit else ""
    parts.append(f"## {node.title}{explicit}")
    parts.append(paragraph(rng, rng.randint(1, 3)))
    for alt, path in node.images:
        parts.append(f"![{alt}]({path})")
    r = rng.random()
    if r < 0.25:
        steps = rng.sample(CHECKS, 3)
        parts.append("\n".join(f"{i + 1}. {s}" for i, s in enumerate(steps)))
    elif r < 0.35:
        parts.append("| Voyant | Signification |\n|---|---|\n| Vert fixe | Ligne synchronisée |\n"
                     "| Orange clignotant | Mise à jour en cours |\n| Rouge | Aucun signal |")
    elif r < 0.45:
        parts.append("Points à rappeler :")
        parts.append("\n".join(f"- {t}" for t in rng.sample(TIPS, 2)))
    kinds = [("CAUTION", CAUTIONS), ("NOTE", CONTEXT), ("IMPORTANT", IMPORTANTS), ("TIP", TIPS),
             ("WARNING", WARNINGS)]
    if rng.random() < 0.5:
        kind, phrases = kinds[rng.randrange(len(kinds))]
        parts.append(f"> [!{kind}]\n> {rng.choice(phrases)}")
    for text, dest in node.links:
        parts.append(f"Si nécessaire, consultez [{text}]({dest}).")
    fn = None
    if rng.random() < 0.05:
        fn = f"n{footnote_no}"
        parts.append(f"Le délai légal de rétractation est de quatorze jours[^{fn}].")
        parts.append(f"[^{fn}]: Article L221-18 du Code de la consommation.")
    if node.answers:
        parts.append(rng.choice(QUESTIONS))
        parts.append("\n".join(f"- [{label}]({dest})" for label, dest in node.answers))
    else:
        parts.append("Remerciez le client, résumez la solution et clôturez le contact dans le CRM.")
    return "\n\n".join(parts), fn is not None


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_shape(out, shape, n):
    """One entry point `forme` of N nodes in one of the degenerate shapes (see the module's doc)."""
    n = max(2, n)
    edir = os.path.join(out, "forme")
    os.makedirs(edir, exist_ok=True)
    write(os.path.join(out, "site.toml"), 'name = "Formes"\nlanguage = "fr"\n'
          'online_url = "https://app.example.com"\n\n[backup]\nfrequency_days = 30\n'
          'owner = { name = "Élodie Martin" }\nlocations = ["/mnt/partage/procedures"]\n')
    start = "d0" if shape == "links" else "forme"
    write(os.path.join(edir, "entry.toml"), f'title = "Forme {shape}"\nstart = "{start}"\n')
    if shape == "links":
        for i in range(n):
            nxt = f"\n- [Suivant](d{i + 1}.md)\n" if i + 1 < n else ""
            write(os.path.join(edir, f"d{i}.md"), f'+++\ntitle = "Diagramme {i}"\n+++\n\n'
                  f"## Étape {i} {{#n{i}}}\n\nDemandez au client l'étape {i}.\n{nxt}")
        return
    body = ['+++\ntitle = "Forme"\n+++\n']
    for i in range(n):
        body.append(f"## Étape {i} {{#n{i}}}\n\nDemandez au client l'étape {i}.\n")
        if shape == "chain" and i + 1 < n:
            body.append(f"- [Suivant](#n{i + 1})\n")
        elif shape == "fanout" and i == 0:
            body.append("".join(f"- [Cas {j}](#n{j})\n" for j in range(1, n)))
    write(os.path.join(edir, "forme.md"), "\n".join(body))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--nodes", type=int, required=True)
    ap.add_argument("--entries", type=int, default=None, help="default: max(2, ceil(nodes / 5000))")
    ap.add_argument("--image-mb", type=float, default=None,
                    help="unique image bytes in MiB (default: 10 KiB per node, i.e. nodes / 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shape", choices=["chain", "fanout", "links"], default=None,
                    help="a degenerate corpus of N nodes instead of the realistic one")
    args = ap.parse_args()
    if args.shape:
        if os.path.exists(args.out) and os.listdir(args.out):
            sys.exit(f"{args.out} exists and is not empty")
        write_shape(args.out, args.shape, args.nodes)
        return
    if args.entries is None:
        args.entries = max(2, math.ceil(args.nodes / 5000))
    args.entries = max(1, min(args.entries, args.nodes))
    if args.image_mb is None:
        args.image_mb = args.nodes / 100
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"{args.out} exists and is not empty")
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    entries = plan(args, rng)
    wire(entries, rng)
    place_images(entries, rng, args.out, args.image_mb)

    env_lines = []
    for env, values in VARIABLES.items():
        env_lines.append(f"[environments.{env}]")
        for k, v in values.items():
            env_lines.append(f"{k} = {v if isinstance(v, int) else toml_str(v)}")
        env_lines.append("")
    write(os.path.join(args.out, "site.toml"), f"""name = "Centre de contact Exemple"
language = "fr"
online_url = "https://app.example.com"
environment = "bcp"

[backup]
frequency_days = 30
owner = {{ name = "Élodie Martin", email = "elodie.martin@example.com", phone = "01 23 45 67 89" }}
deputy = {{ name = "Karim Benali", email = "karim.benali@example.com" }}
locations = ['X:\\Sauvegardes\\Procedures', "/mnt/partage/procedures"]

[[contingency.contacts]]
name = "Cellule de crise"
role = "Continuité d'activité"
phone = "01 98 76 54 32"

""" + "\n".join(env_lines))
    fn_no = 0
    for entry in entries:
        edir = os.path.join(args.out, entry["id"])
        os.makedirs(edir, exist_ok=True)
        write(os.path.join(edir, "entry.toml"),
              f"title = {toml_str(entry['title'])}\ndescription = {toml_str(entry['description'])}\n"
              f"start = {toml_str(entry['diagrams'][0]['id'])}\n")
        for d in entry["diagrams"]:
            front = [f"title = {toml_str(d['title'])}",
                     f"description = {toml_str(rng.choice(CONTEXT))}"]
            if rng.random() < 0.5:
                front.append(f"start = {toml_str(d['nodes'][0].id)}")
            front.append("tags = [" + ", ".join(toml_str(t) for t in rng.sample(
                ["panne", "box", "facture", "urgent", "niveau-1", "mobile", "tv", "fibre", "client"], 2)) + "]")
            body = []
            if rng.random() < 0.5:
                body.append("Utilisez cette procédure dès que le client signale le problème. "
                            + paragraph(rng, 1))
            for node in d["nodes"]:
                text, used = node_text(rng, node, fn_no)
                fn_no += used
                body.append(text)
            write(os.path.join(edir, d["id"] + ".md"),
                  "+++\n" + "\n".join(front) + "\n+++\n\n" + "\n\n".join(body) + "\n")
    total_nodes = sum(len(d["nodes"]) for e in entries for d in e["diagrams"])
    total_diagrams = sum(len(e["diagrams"]) for e in entries)
    print(f"{args.out}: {len(entries)} entry points, {total_diagrams} diagrams, {total_nodes} nodes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
