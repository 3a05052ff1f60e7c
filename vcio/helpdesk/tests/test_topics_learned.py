"""Learned topics: train, evaluate, assign with a confidence, a person's choice kept and learned."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command

from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicModel, TopicSetBy
from vcio.helpdesk.tests import topic_samples as samples
from vcio.helpdesk.tests.factories import make_ticket
from vcio.helpdesk.topics import assign, edits, store
from vcio.helpdesk.topics.learned import (
    evaluate,
    fit_classifier,
    fit_temperature,
    format_report,
    held_out_mask,
    train_and_evaluate,
)
from vcio.helpdesk.topics.text import ticket_text


def _data():
    rows = samples.sample_tickets()
    return [ticket_text(s, b) for s, b, _ in rows], [label for _, _, label in rows]


def test_held_out_split_is_every_fifth_row_from_the_first():
    assert list(np.flatnonzero(held_out_mask(12))) == [0, 5, 10]


def test_training_recognises_the_sample_topics_on_held_out_tickets():
    texts, labels = _data()
    result = train_and_evaluate(texts, labels)
    assert result.n_train == 80
    assert result.metrics["n_test"] == 20
    # Counted independently of sklearn's report: the share of right answers.
    predicted, confidence = result.model.predict(
        [t for t, m in zip(texts, held_out_mask(100), strict=False) if m]
    )
    truth = [y for y, m in zip(labels, held_out_mask(100), strict=False) if m]
    right = sum(p == t for p, t in zip(predicted, truth, strict=False)) / len(truth)
    assert result.metrics["accuracy"] == pytest.approx(right, abs=1e-4)
    assert right >= 0.9
    assert ((confidence > 0) & (confidence <= 1)).all()
    assert set(result.metrics["per_class"]) == set(samples.TOPICS)


def test_confidence_is_a_probability_that_orders_clear_before_vague_tickets():
    texts, labels = _data()
    model = fit_classifier(texts, labels)
    fit_temperature(model, texts[:40], labels[:40])
    (clear, vague), conf = model.predict(
        ["printer paper jam toner tray printer jam", "the thing is not working today"]
    )
    assert clear == "Printing"
    assert conf[0] > conf[1]


def test_evaluate_report_names_accuracy_macro_f1_and_each_class():
    texts, labels = _data()
    model = fit_classifier(texts[20:], labels[20:])
    report = format_report(evaluate(model, texts[:20], labels[:20]))
    assert report.startswith("accuracy")
    assert "macro-F1" in report
    for topic in samples.TOPICS:
        assert topic in report


def test_training_needs_two_topics():
    with pytest.raises(ValueError, match="two topics"):
        fit_classifier(["a printer", "another printer"], ["Printing", "Printing"])


def test_model_is_stored_with_version_labels_metrics_and_loads_back(acme):
    texts, labels = _data()
    result = train_and_evaluate(texts, labels)
    first = store.save_model(result)
    second = store.save_model(result, client=acme, threshold=0.7)
    assert (first.version, first.client_id) == (1, None)
    assert (second.version, second.client_id) == (1, acme.pk)
    again = store.save_model(result)
    assert again.version == 2
    assert sorted(again.labels) == sorted(samples.TOPICS)
    assert again.metrics["macro_f1"] == result.metrics["macro_f1"]
    assert again.n_train == 80
    loaded = store.from_bytes(TopicModel.objects.get(pk=again.pk).blob)
    assert loaded.predict(["vpn drops from home"])[0] == ["VPN"]
    # The client's own model wins over the practice-wide one.
    assert store.active_model_row(acme).pk == second.pk


@pytest.mark.django_db
def test_assign_sets_topics_flags_unsure_tickets_and_keeps_a_persons_choice(acme, alice):
    tickets = samples.load_tickets(acme)
    model = assign.train_from_tickets(
        Ticket.objects.filter(client=acme), trust_categories=True, threshold=0.5
    )
    assert model.n_train == 80
    person_topic = Topic.objects.create(
        client=acme, kind=TopicKind.LEARNED, key="Laptop", name="Laptop"
    )
    chosen = tickets[0]  # a printing ticket a person says is about laptops
    edits.set_ticket_topic(chosen, person_topic, alice)
    odd = make_ticket(acme, subject="question", body="something about the thing")
    # A threshold no assignment reaches: every model assignment waits for a person.
    TopicModel.objects.filter(pk=model.pk).update(threshold=1.01)

    counts = assign.assign_topics(acme)

    assert counts == {"assigned": 100, "flagged": 100}
    chosen.refresh_from_db()
    assert (chosen.topic.name, chosen.topic_set_by) == ("Laptop", TopicSetBy.PERSON)
    ticket = Ticket.objects.get(pk=tickets[1].pk)
    assert ticket.topic.name == "Passwords" and ticket.topic.kind == TopicKind.LEARNED
    assert 0 < ticket.topic_confidence <= 1 and ticket.topic_needs_review
    odd.refresh_from_db()
    assert odd.topic is not None and odd.topic_set_by == TopicSetBy.MODEL
    # One topic row per label for the client, not one per ticket.
    assert Topic.objects.filter(client=acme, kind=TopicKind.LEARNED).count() == 5


@pytest.mark.django_db
def test_a_persons_choice_is_a_training_label_even_without_trusted_categories(acme, alice):
    tickets = samples.load_tickets(acme, with_categories=False)
    topics = {
        label: Topic.objects.create(client=acme, kind=TopicKind.LEARNED, key=label, name=label)
        for label in samples.TOPICS
    }
    for ticket, (_, _, label) in zip(tickets, samples.sample_tickets(), strict=False):
        edits.set_ticket_topic(ticket, topics[label], alice)
    texts, labels = assign.training_rows(Ticket.objects.filter(client=acme), trust_categories=False)
    assert len(texts) == 100 and labels[0] == "Printing"
    none_trusted = assign.training_rows(
        Ticket.objects.filter(client=acme, topic__isnull=True), trust_categories=True
    )
    assert none_trusted == ([], [])


def test_cli_evaluate_prints_accuracy_macro_f1_and_per_class(tmp_path, capsys):
    path = samples.write_csv(tmp_path / "tickets.csv")
    call_command("topics", "evaluate", "--file", str(path))
    out = capsys.readouterr().out
    assert "trained on 80 tickets" in out
    assert "macro-F1" in out and "Printing" in out


@pytest.mark.django_db
def test_cli_train_from_file_stores_a_practice_model_and_assign_uses_it(tmp_path, acme, capsys):
    path = samples.write_csv(tmp_path / "tickets.csv")
    call_command("topics", "train", "--file", str(path), "--threshold", "0.3")
    row = TopicModel.objects.get()
    assert (row.client_id, row.version, row.threshold) == (None, 1, 0.3)
    make_ticket(acme, subject="Printer jams", body="paper jam in tray 2 of the printer")
    call_command("topics", "assign", "--client", acme.slug)
    assert "acme: 1 tickets assigned" in capsys.readouterr().out
    assert Ticket.objects.get(client=acme).topic.name == "Printing"


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--file", "/nonexistent.csv"], "cannot be read"),
        (["train", "--threshold", "2"], "--threshold: '2'"),
        (["evaluate", "--client", "nobody"], "no client with the slug 'nobody'"),
        (["discover", "--k", "1"], "--k: 1"),
    ],
)
@pytest.mark.django_db
def test_cli_bad_input_names_the_option(args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("topics", *args)


def test_csv_without_the_label_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Document,Category\nprinter jam,Printing\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no column `Topic_group`"):
        call_command("topics", "evaluate", "--file", str(path))


def test_prediction_is_the_blend_of_svm_and_logistic_regression_and_the_peer_is_the_svm():
    from scipy.special import softmax
    from sklearn.preprocessing import normalize

    texts, labels = _data()
    model = fit_classifier(texts[20:], labels[20:])
    peer = fit_classifier(texts[20:], labels[20:], peer=True)
    features = model.words.transform(texts[:20])
    # The SVM sees the TF-IDF with each ticket's unit LSA vector appended.
    lsa = normalize(model.lsa.transform(model.unigrams.transform(texts[:20])))
    svm_features = np.hstack([features.toarray(), lsa])
    # The blend computed here by hand: 0.7 x softmax(SVM / 0.3) + 0.3 x LR probabilities.
    blend = 0.7 * softmax(model.svm.decision_function(svm_features) / 0.3, axis=1)
    blend += 0.3 * model.logreg.predict_proba(features)
    predicted, _ = model.predict(texts[:20])
    assert predicted == [str(c) for c in model.classes[blend.argmax(axis=1)]]
    assert peer.logreg is None
    assert peer.lsa is None
    peer_scores = peer.svm.decision_function(peer.words.transform(texts[:20]))
    assert peer.predict(texts[:20])[0] == [str(c) for c in peer.classes[peer_scores.argmax(1)]]


def test_a_model_stored_before_the_lsa_view_still_assigns():
    from dataclasses import replace

    from sklearn.svm import LinearSVC

    texts, labels = _data()
    model = fit_classifier(texts[20:], labels[20:])
    # As unpickled from an older release: no LSA fields, an SVM on the TF-IDF alone.
    features = model.words.transform(texts[20:])
    old = replace(model, unigrams=None, lsa=None)
    old.svm = LinearSVC(C=0.5, class_weight="balanced").fit(features, labels[20:])
    del old.__dict__["unigrams"], old.__dict__["lsa"]  # the class defaults answer
    predicted, confidence = old.predict(texts[:20])
    assert len(predicted) == 20
    assert ((confidence > 0) & (confidence <= 1)).all()


def test_method_description_fits_the_model_row():
    from vcio.helpdesk.topics.learned import METHOD

    assert len(METHOD) <= TopicModel._meta.get_field("method").max_length
