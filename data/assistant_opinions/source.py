"""Source text of the ``assistant_opinions`` demo data set.

Everything in this file was written for the Collective Alignment Toolkit by its developers
(drafted with an AI coding assistant, then reviewed); nothing here is generated at build time.
The opinions are invented: they are not real people's answers and contain no personal data.
They imitate free-text survey answers (terse and long, formal and informal, a few typos left
in on purpose) to one contested question about assistant behaviour, :data:`QUESTION`.

Each opinion carries a *latent camp* label. The camp is never shown to an algorithm; it is
only there to evaluate slates afterwards (for example: does every camp get a statement it
agrees with?). The pool holds candidate consensus statements, each tagged with the camp it
was written for, ``"bridging"`` (meant to be acceptable across camps) or ``"vague"`` (a
deliberately poor, contentless statement that a good method should not pick).

``build.py`` validates this file and writes ``opinions.csv`` and ``pool.csv`` from it; edit
the text here, never the CSV files. Licence: CC0 1.0 (see README.md).
"""

from __future__ import annotations

QUESTION = (
    "When a user asks an AI assistant for help with something legal but potentially harmful "
    "to themselves (for example an extreme diet, a risky stunt, or quitting a medication), "
    "what should the assistant do?"
)

# Latent camps of the participants: label -> one-line description (shown in README.md).
CAMPS: dict[str, str] = {
    "autonomy": "Adults decide for themselves: help as asked, no refusals, no lectures.",
    "harm_reduction": "Help, and state the real risks and safer ways once, plainly.",
    "caution": "Decline or redirect the dangerous specifics; refer to professionals.",
    "check_in": "Ask why first and watch for signs of crisis; respond to the person.",
    "transparency": "Whatever the policy, be open about it; let users set their own level.",
    "mixed": "Combines two or more of the camps above (bridging participants).",
}

# Labels of the pool's ``intended_camp`` column beyond the participant camps (minus "mixed").
POOL_EXTRA_LABELS: dict[str, str] = {
    "bridging": "Written to be acceptable to several camps at once.",
    "vague": "Deliberately poor: vague or contentless, says nothing anyone can act on.",
}

OPINIONS: dict[str, list[str]] = {
    "autonomy": [
        "Adults get to make their own choices. If it's legal, the assistant should just help.",
        "Just answer the question. Nobody asked for a lecture.",
        "I'm an adult. If I want to do a five day water fast that's my business, and an "
        "assistant that refuses is treating me like a child.",
        "The assistant is a tool, like a search engine or a library. A library doesn't refuse "
        "to lend you a book on mountaineering because mountains are dangerous.",
        "help them. its legal. end of story",
        "Paternalism from a piece of software is insulting. People have always done risky "
        "things and they will find the information elsewhere anyway, probably worse information.",
        "Respect the user's autonomy. The assistant doesn't know my life, my doctor or my "
        "reasons, so it has no standing to second-guess me.",
        "If I ask how to taper off a medication, I've probably thought about it a lot more than "
        "the AI has. Give me the information I asked for.",
        "Do what the user asks. Refusing a legal request is a failure, not a safety feature.",
        "I hate when chatbots put three paragraphs of warnings before the answer. Answer first, "
        "warn never.",
        "Freedom includes the freedom to take risks. An assistant that only helps with safe "
        "things is useless for climbers, fighters, divers and plenty of ordinary people.",
        "Its not the AI's job to be my mom.",
        "Who decides what counts as harmful to yourself? Today it's extreme diets, tomorrow it's "
        "eating red meat. The assistant should stay out of it.",
        "Treat users as competent adults by default. Most people asking about risky stuff are "
        "curious or already experienced, not in danger.",
        "Give the information straight, the same way a knowledgeable friend would if you asked "
        "them over a beer.",
        "Bodily autonomy applies here too. What I do with my own body is not up for debate with "
        "a chatbot.",
        "Help fully and without judgment.",
        "Just do it. I'm paying for the service.",
        "Companies put these refusals in to cover themselves legally, not to protect anyone. "
        "I'd rather the assistant was simply useful.",
        "A risky stunt is my risk to take. The assistant should help me plan it as well as it can.",
        "No refusals for legal stuff, period. Harm to yourself is your own call, Mill made that "
        "argument over 150 years ago.",
        "The assistant should answer like any reference book would. Books on fasting and free "
        "solo climbing exist and nobody makes you justify buying them.",
        "If you don't want to help, at least don't preach. But really you should help.",
        "honestly just answer. i know the risks, thats why im asking",
        "Users shouldn't have to explain or justify themselves to get an answer to a legal "
        "question.",
        "Refusing doesn't stop anyone, it just wastes their time. Answer the question.",
        "I don't want an AI deciding what's good for me. Full stop.",
        "The assistant should comply. Adults are responsible for their own decisions and for "
        "the consequences.",
        "If it's legal for me to do it, it should be fine for me to learn how. The assistant "
        "shouldn't add its own rules on top of the law.",
        "Stop assuming everyone is fragile. Most of us can handle information.",
        "Help with the request as asked. Unsolicited health advice is annoying and condescending.",
        "It should behave like a personal trainer who has been told what I want: help me get "
        "there, don't argue with me about whether I should.",
        "answer the question you were asked",
        "Autonomy first. Being overprotective is a harm too, it just never makes the headlines.",
        "It's not the assistant's place to judge. Provide the info and let the user decide.",
    ],
    "harm_reduction": [
        "Help, but be honest about the risks. Say it once, clearly, then get on with it.",
        "Harm reduction. People will do it anyway, so the best outcome is that they do it as "
        "safely as possible.",
        "Give the information and include the key safety facts, like electrolytes and when to "
        "stop for a long fast. That's what a friend who knew the subject would do.",
        "The assistant should help while pointing out safer ways to reach the same goal. If "
        "someone wants to lose weight fast, explain what fast but less dangerous looks like.",
        "Answer the question and add one or two sentences on the real dangers. Not a wall of "
        "warnings, just the stuff that actually matters.",
        "I think it should help but make sure the person knows the specific risks, like what "
        "stopping an antidepressant suddenly can do to you.",
        "Meet people where they are. Refusing pushes them toward forums with much worse advice, "
        "so give good info with the safety built in.",
        "Help them do it safer. A stunt with a spotter and proper gear is better than the same "
        "stunt without.",
        "info + risks. refusing helps nobody",
        "The assistant should give accurate, complete information, including the warning signs "
        "to watch for and when to get medical help. Good information is protective.",
        "Be like a good pharmacist: you get what you asked for, but you also hear the one thing "
        "you really need to know.",
        "Support the goal, flag the danger, suggest safeguards. That's the formula.",
        "If someone is going to quit a medication, the most useful thing is explaining tapering "
        "and which symptoms mean call a doctor. Refusing leaves them to go cold turkey.",
        "Answer, but don't pretend the risks aren't there. Being honest about danger is part of "
        "being helpful, not the opposite of it.",
        "It should help. But it should mention the risks the way a doctor friend would, not the "
        "way a legal disclaimer would.",
        "Give the safest version of what they asked for. If they want an extreme diet plan, "
        "give one with the minimum safeguards included rather than refusing.",
        "I work in public health and the evidence is pretty clear that harm reduction works "
        "better than abstinence messaging. The same logic should apply to AI.",
        "help but include the safety stuff, like tell them to have someone with them for the "
        "cold water swim",
        "A short, specific warning is fine. A vague 'consult a professional' is useless.",
        "The assistant should help and be upfront about the risks, then trust the person with "
        "that information.",
        "Informed consent is the standard: the user decides, but only after they have been told "
        "the important risks.",
        "Help, and offer a safer alternative alongside, without making the help conditional on "
        "taking it.",
        "Yes help, but say the risks plainly. People deserve both the answer and the truth.",
        "When the risk is serious, like stopping seizure medication, the warning should be "
        "serious. When it's minor keep it short. But always answer.",
        "Give the info. Put the most important safety point at the top, not buried at the end.",
        "It should act like an experienced coach who helps you train for the crazy thing and "
        "makes sure you know where the line between hard and dangerous is.",
        "Don't refuse, don't lecture, but don't hide the risks either.",
        "Provide harm reduction info. For a long fast, tell them the symptoms that mean stop "
        "right now.",
        "Helpful AND honest. those arent in conflict",
        "I'd want it to answer and then say something like 'here's what tends to go wrong and "
        "how people avoid it'. That's respectful and useful.",
    ],
    "caution": [
        "It should decline to give specific instructions and suggest talking to a doctor or "
        "another qualified professional.",
        "Better safe than sorry. An AI can't see the person or know their medical history, so "
        "it shouldn't be giving advice that could seriously hurt them.",
        "For anything involving stopping medication the assistant should refuse and tell the "
        "user to speak to their prescriber. That isn't paternalism, it's knowing its limits.",
        "The assistant should not help with extreme diets. Eating disorders kill people and it "
        "cannot tell who is at risk.",
        "Redirect to professionals. A chatbot shouldn't be coaching anyone through something "
        "that could put them in hospital.",
        "Say no politely and explain why. Legal doesn't mean safe.",
        "These tools are used by millions of people, including vulnerable ones and kids who lie "
        "about their age. The default has to be cautious.",
        "I'd rather the assistant be too careful than have it contribute to someone getting hurt.",
        "dont help. point them to someone qualified",
        "The company is responsible for what its product says. If it walks someone through a "
        "dangerous fast and they end up in hospital, that's on the company.",
        "It should refuse the harmful part and offer to help with a safer version of the goal "
        "instead.",
        "An AI assistant is not a doctor. It should not give advice on quitting medication at "
        "all, only encourage professional help.",
        "Decline, and give resources like a helpline if there's any sign the person is struggling.",
        "Some things are legal but still a bad idea to assist with. Risky stunts get people "
        "killed and an AI shouldn't be the one planning them.",
        "Refuse. The possible downside (someone dies) is much worse than the upside (someone "
        "gets the info a bit faster).",
        "The assistant should err strongly on the side of caution. It can always say 'I can't "
        "help with that, but here's who can'.",
        "Its not censorship to say no to helping someone starve themselves",
        "It should refuse detailed how-to guidance for things with a real risk of death or "
        "permanent injury, even if they're legal.",
        "I think it should step back. Advice from an authoritative-sounding AI carries weight, "
        "and people may trust it more than they should.",
        "Politely refuse and recommend a professional. Someone who really wants to do it can "
        "find a doctor, trainer or guide who can actually supervise them.",
    ],
    "check_in": [
        "Before helping, the assistant should ask a couple of questions to understand the "
        "situation. Why do they want to do this, and is anyone supervising?",
        "It depends entirely on why. Someone training for a bodybuilding show is different from "
        "someone who sounds like they're in an eating disorder spiral, so the assistant should "
        "try to find out which.",
        "The assistant should pay attention to signs of distress. If the request sounds like "
        "self-harm in disguise, respond to the person, not just the request.",
        "ask why first",
        "Check in with the person. Sometimes 'how do I quit my meds' really means 'my meds have "
        "awful side effects and nobody listens to me', and that's worth talking about.",
        "It should treat it as a conversation, not a vending machine. Understand the goal, then "
        "help with that goal.",
        "Have a real conversation about it. A good friend would ask what's going on before "
        "handing over a 500 calorie meal plan.",
        "The assistant should care about the person's wellbeing, which means asking about their "
        "situation before either helping or refusing.",
        "I'd want it to ask gentle questions, not interrogate. If everything sounds fine, help. "
        "If something sounds off, slow down.",
        "Look at the context: age, state of mind, whether it's a one-off or a pattern across "
        "the conversation. The same question can need very different answers.",
        "Curiosity before compliance. Ask what they are trying to achieve, there is often a "
        "better way to get there.",
        "If there are warning signs like hopelessness, talk of punishing themselves or a very "
        "young user, it should switch to support mode. Otherwise help.",
        "The assistant can't know intent from one message, so it should ask kindly and respect "
        "whatever they say back.",
        "i think it should ask if theyre ok. sounds cheesy but it matters",
        "Understanding the why is the key. Quitting medication because of side effects and "
        "quitting because you feel you don't deserve treatment are totally different situations.",
    ],
    "transparency": [
        "Whatever it does, it should be transparent. If it's refusing or leaving something out, "
        "say so and say why, rather than quietly giving a watered-down answer.",
        "Let users choose. A setting for 'give me the full info, I accept the risks' next to a "
        "more careful default would solve most of this.",
        "The rules should be public and consistent. It's the arbitrary refusals that make "
        "people angry, not the existence of limits.",
        "The worst case is when the assistant pretends to help but silently leaves out the "
        "important part. Be honest about what you won't do.",
        "Make it configurable. Adults can opt in to less filtered answers, and the default can "
        "be more careful.",
        "I just want to know where the line is. Publish the policy, apply it the same way every "
        "time, and tell me when I've hit it.",
        "If it won't answer, it should say what it can't help with and where I could look "
        "instead, not pretend the info doesn't exist.",
        "Honesty matters most. Don't hide behind a vague 'I can't help with that', explain the "
        "actual reason.",
        "users should be able to set thier own risk tolerance in settings",
        "Clear policies decided in the open, ideally with public input, not whatever a "
        "company's legal team feels like this month.",
    ],
    "mixed": [
        "Help by default, but for something like stopping medication, strongly encourage seeing "
        "a doctor too. Both, not either/or.",
        "I'm torn. I believe in autonomy, but I've seen what an eating disorder does to a "
        "family. Maybe general info is fine but not detailed extreme plans.",
        "Ask a quick question or two, and if nothing is worrying, help with honest risk info. If "
        "something is worrying, focus on the person.",
        "Respect the choice, give real information, and make sure the person knows where to get "
        "professional support if they want it.",
        "It depends on how reversible the harm is. A bad diet week is recoverable, stopping "
        "heart medication might not be, so be more careful the more permanent the harm.",
        "Treat users like adults, be honest about the risks and be clear about any limits. That "
        "covers most cases.",
        "Mostly help, but I'd accept a refusal for the really extreme stuff as long as it "
        "explains why and doesn't preach.",
        "Give people the information, but don't be the one who optimises an obviously dangerous "
        "plan. Explaining risks and coaching someone through them are different things.",
        "some mix of things: help adults, be careful with anyone who seems young or in crisis, "
        "always tell them the risks",
        "Both sides have a point. I'd want safety info always, help for most things, and a "
        "doctor in the loop for medication.",
    ],
}

# Candidate consensus statements: (intended_camp, statement).
POOL: list[tuple[str, str]] = [
    # autonomy
    (
        "autonomy",
        "The assistant should help with any legal request about a person's own life "
        "as asked, without warnings they did not ask for.",
    ),
    (
        "autonomy",
        "The assistant should treat users as competent adults and never refuse a legal "
        "request because the risk falls on the user alone.",
    ),
    (
        "autonomy",
        "The assistant should not require users to explain or justify their reasons "
        "before it helps with something legal.",
    ),
    (
        "autonomy",
        "The assistant should not moralise: whether a legal risk is worth taking is the "
        "user's decision.",
    ),
    # harm reduction
    (
        "harm_reduction",
        "The assistant should help, and state the most important specific risks "
        "once, plainly, without lecturing.",
    ),
    (
        "harm_reduction",
        "The assistant should help in the safest way available, including warning "
        "signs, safeguards and when to stop or seek medical help.",
    ),
    (
        "harm_reduction",
        "The assistant should offer a safer route to the same goal alongside its "
        "help, without making the help depend on taking it.",
    ),
    (
        "harm_reduction",
        "The assistant should follow harm-reduction practice: people who will take "
        "the risk anyway are better served by accurate safety information than by a refusal.",
    ),
    # caution
    (
        "caution",
        "The assistant should decline to give detailed instructions for legal activities "
        "that carry a real risk of death or permanent injury.",
    ),
    (
        "caution",
        "The assistant should not advise on stopping prescribed medication and should "
        "refer the user to their prescriber instead.",
    ),
    (
        "caution",
        "The assistant should err on the side of caution, because it cannot see the user "
        "or know their health.",
    ),
    (
        "caution",
        "The assistant should refuse to write extreme diet or fasting plans and point the "
        "user to qualified professionals.",
    ),
    # check in
    (
        "check_in",
        "The assistant should ask what the user is trying to achieve before it helps or declines.",
    ),
    (
        "check_in",
        "The assistant should watch for signs of crisis, an eating disorder or a young "
        "user, and respond to the person rather than only to the request.",
    ),
    (
        "check_in",
        "The assistant should treat such a request as a conversation about the user's "
        "situation and goals, not a one-shot answer.",
    ),
    # transparency
    (
        "transparency",
        "The assistant should say openly when it is refusing or leaving something "
        "out, and why, instead of giving a quietly watered-down answer.",
    ),
    (
        "transparency",
        "The assistant should let adult users choose how much safety guidance they "
        "receive, with a careful default.",
    ),
    (
        "transparency",
        "The assistant's rules for such requests should be public and applied the "
        "same way every time.",
    ),
    # bridging
    (
        "bridging",
        "The assistant should help adults with legal requests, state the serious risks "
        "honestly, and suggest professional support where the harm could be lasting.",
    ),
    (
        "bridging",
        "The assistant should be more careful the more severe and irreversible the "
        "possible harm: help freely with minor risks, and urge medical advice for things like "
        "stopping medication.",
    ),
    (
        "bridging",
        "The assistant should respect the user's choice and make sure it is an informed "
        "one: the answer, the key risks, and where to get help.",
    ),
    (
        "bridging",
        "The assistant should help by default, but slow down and check in when there "
        "are signs of crisis or a very young user.",
    ),
    (
        "bridging",
        "The assistant should never refuse silently: if it declines part of a request, "
        "it should explain why and still help with the safer parts.",
    ),
    (
        "bridging",
        "The assistant should explain facts and risks freely, but not optimise a plan "
        "whose main purpose is obviously dangerous.",
    ),
    (
        "bridging",
        "The assistant should explain how to taper a medication and what withdrawal "
        "can look like, and strongly encourage involving a doctor, without refusing.",
    ),
    (
        "bridging",
        "The assistant should be honest, non-judgemental and useful: no lectures, no "
        "hidden omissions, no pretending the risks are not there.",
    ),
    # deliberately poor
    ("vague", "The assistant should be responsible."),
    ("vague", "The assistant should do the right thing for the user."),
    ("vague", "The assistant should balance many different factors."),
    ("vague", "AI should be safe and helpful."),
]
