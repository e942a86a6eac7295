from django.urls import path

from gonghui.kb import views_questions as views

urlpatterns = [
    # The worker portal: 我要咨询
    path("kb/ask/", views.ask, name="ask"),
    path("kb/ask/suggest/", views.ask_suggest, name="ask_suggest"),
    path("kb/ask/<int:pk>/done/", views.ask_done, name="ask_done"),
    path("kb/questions/<int:pk>/", views.question, name="question"),
    # The staff console: 在线咨询, 咨询统计
    path("console/kb/questions/", views.QuestionListView.as_view(), name="questions"),
    path("console/kb/questions/<int:pk>/answer/", views.answer, name="answer"),
    path("console/kb/questions/<int:pk>/articles/", views.article_picker, name="article_picker"),
    path("console/kb/questions/<int:pk>/faq/", views.publish_faq, name="publish_faq"),
    path("console/kb/figures/", views.figures, name="figures"),
]
